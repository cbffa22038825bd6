import { editDistanceAtMost, tokenize } from '../text/normalize.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import type { EventMatchContext } from './match-context.ts';
import type { RecordingItem } from './source.ts';

/**
 * Matching step 2a, candidate gathering: the talks of the event the search index finds for the
 * item's title (and subtitle), plus every talk of a speaker whose full name the item carries.
 */
export type Candidates = {
  /** Talk ids, index hits first, then the talks of named speakers. */
  readonly ids: ReadonlySet<string>;
  /** `<talk id>|<normalised speaker name>` → where the name occurs ("among the persons", …). */
  readonly speakersFound: ReadonlyMap<string, string>;
  /** Tokens of the description's first 2,000 characters. */
  readonly descriptionTokens: ReadonlySet<string>;
};

export function gatherCandidates(item: RecordingItem, ctx: EventMatchContext, index: TalkIndex): Candidates {
  const text = [item.title, item.subtitle, (item.persons ?? []).join(', '), item.description?.slice(0, 2000)]
    .filter(Boolean)
    .join('\n');
  const itemTokens = tokenize(text);
  const titleTokens = tokenize(`${item.title} ${item.subtitle ?? ''}`);
  const personTokens = tokenize((item.persons ?? []).join(' '));
  const descriptionTokens = new Set(tokenize(item.description?.slice(0, 2000) ?? ''));

  const ids = new Set<string>();
  const queries = [item.title, item.subtitle ? `${item.title} ${item.subtitle}` : undefined].filter((q): q is string =>
    Boolean(q && q.trim()),
  );
  for (const q of queries)
    for (const hit of index.search(q.slice(0, 300), { eventId: ctx.event.id, limit: 8 })) ids.add(hit.id);
  const speakersFound = new Map<string, string>();
  for (const [name, talkIds] of ctx.talksBySpeaker) {
    const where = findName(name, itemTokens, personTokens, titleTokens);
    if (where)
      for (const id of talkIds) {
        ids.add(id);
        speakersFound.set(`${id}|${name}`, where);
      }
  }
  return { ids, speakersFound, descriptionTokens };
}

/**
 * Where a speaker's full name occurs in the item: among persons, in the title, or in the
 * description. Tokens of five letters or more may differ by one edit ("McClian").
 */
export function findName(
  name: string,
  itemTokens: readonly string[],
  personTokens: readonly string[],
  titleTokens: readonly string[],
): string | undefined {
  const parts = name.split(' ').filter(Boolean);
  if (parts.length < 2) return undefined; // a single-word name alone is too weak to use as evidence
  const inSeq = (tokens: readonly string[]): boolean => {
    for (let i = 0; i + parts.length <= tokens.length; i += 1) {
      if (parts.every((p, k) => tokenEq(p, tokens[i + k]!))) return true;
    }
    return false;
  };
  if (inSeq(personTokens)) return 'among the persons';
  if (inSeq(titleTokens)) return 'in the title';
  if (inSeq(itemTokens)) return 'in the description';
  return undefined;
}

function tokenEq(a: string, b: string): boolean {
  return a === b || (a.length >= 5 && b.length >= 5 && editDistanceAtMost(a, b, 1));
}
