/**
 * Postings structures of the talk index: the per-term entry (postings per field, events, talk
 * document frequency), the per-talk and per-event records kept for adjacency checks and clean
 * removal, and {@link Source}, the view of a postings list the scorer works with.
 */
import { STOPWORDS } from '../text/normalize.ts';
import { SEQUENCE_FIELDS, type SequenceField, type TalkField } from './fields.ts';
import type { IndexField, TermExpansion } from './types.ts';

/** Internal dense talk number; reused after removal. */
export type Doc = number;

export type TermEntry = {
  /** The canonical instance of the term's string; token sequences and the vocabulary share it. */
  readonly term: string;
  title?: Set<Doc>;
  speaker?: Set<Doc>;
  track?: Set<Doc>;
  abstract?: Set<Doc>;
  /** Ids of events whose name/aliases/city/acronym contain the term. */
  events?: Set<string>;
  /** Talks containing the term in at least one of their own fields. */
  talkDf: number;
};

export type TalkRecord = {
  readonly id: string;
  readonly eventId: string;
  readonly sequences: Readonly<Record<SequenceField, readonly (readonly string[])[]>>;
  readonly abstractTerms: readonly string[];
};

export type EventRecord = { readonly sequences: readonly (readonly string[])[] };

export const EMPTY_IDS: ReadonlySet<string> = new Set<string>();
export const EMPTY_DOCS: ReadonlySet<Doc> = new Set<Doc>();

/** Distinct (term, fields) pairs of a talk, stopwords left out; the same for indexing and removal. */
export function termFields(record: TalkRecord): Map<string, Set<TalkField>> {
  const out = new Map<string, Set<TalkField>>();
  const add = (term: string, field: TalkField): void => {
    if (STOPWORDS.has(term)) return;
    let fields = out.get(term);
    if (fields === undefined) out.set(term, (fields = new Set()));
    fields.add(field);
  };
  for (const f of SEQUENCE_FIELDS) for (const seq of record.sequences[f]) for (const w of seq) add(w, f);
  for (const w of record.abstractTerms) add(w, 'abstract');
  return out;
}

/** A postings list as the scorer sees it. */
export interface Source {
  readonly size: number;
  has(doc: Doc): boolean;
  /** Visits docs in a stable order; stops when `fn` returns false. */
  forEach(fn: (doc: Doc) => boolean | void): void;
}

export class SetSource implements Source {
  constructor(private readonly set: ReadonlySet<Doc>) {}
  get size(): number {
    return this.set.size;
  }
  has(doc: Doc): boolean {
    return this.set.has(doc);
  }
  forEach(fn: (doc: Doc) => boolean | void): void {
    for (const doc of this.set) if (fn(doc) === false) return;
  }
}

/** The talks of a set of events, without materialising them. */
export class EventSource implements Source {
  readonly size: number;
  constructor(
    private readonly eventIds: ReadonlySet<string>,
    private readonly docsOf: (eventId: string) => ReadonlySet<Doc>,
    private readonly eventOf: (doc: Doc) => string | undefined,
  ) {
    let size = 0;
    for (const e of eventIds) size += docsOf(e).size;
    this.size = size;
  }
  has(doc: Doc): boolean {
    const e = this.eventOf(doc);
    return e !== undefined && this.eventIds.has(e);
  }
  forEach(fn: (doc: Doc) => boolean | void): void {
    for (const e of this.eventIds) for (const doc of this.docsOf(e)) if (fn(doc) === false) return;
  }
}

export const EMPTY_SOURCE: Source = new SetSource(EMPTY_DOCS);

/** A source as scored for one query term: what a talk in it earns for that term. */
export type ScoredSource = {
  /** Position in the search's source list (recorded per candidate term to explain the hit). */
  readonly index: number;
  readonly source: Source;
  readonly term: number;
  readonly field: IndexField;
  readonly expansion: TermExpansion;
  /** `w(q) × fieldWeight × (1 − penalty)`: what a talk in this source earns for the term. */
  readonly value: number;
};
