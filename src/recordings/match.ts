import type { MatchInfo } from '../catalogue/types.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import { gatherCandidates } from './match-candidates.ts';
import type { EventMatchContext } from './match-context.ts';
import { matchExact } from './match-exact.ts';
import { scoreCandidate, type Scored } from './match-score.ts';
import type { RecordingItem } from './source.ts';
import type { Candidate } from './types.ts';

export { buildEventContext, type EventMatchContext } from './match-context.ts';

/**
 * Recording → talk matching. Pure: works on an {@link EventMatchContext} built once per event and
 * poll (`match-context.ts`), and on the shared search index, so matching one recording costs the
 * index lookups for its own words, not a pass over the catalogue.
 *
 * 1. exact identifiers (`match-exact.ts`); 2. evidence: candidates from the index and named speakers
 * (`match-candidates.ts`), each scored (`match-score.ts`, titles in `title-variants.ts`); 3. the
 * decision here: accept the best one only when it is confident and clearly ahead.
 */

/** Accept an evidence match at or above this confidence… */
export const ACCEPT_CONFIDENCE = 0.75;
/** …and only when the runner-up is at least this far behind (otherwise: too close to call). */
export const MIN_MARGIN = 0.12;
/** …or when the runner-up's doubt (1 − confidence) is at least this multiple of the best one's. */
export const MIN_DOUBT_RATIO = 1.8;

export type MatchDecision =
  | {
      readonly kind: 'matched';
      readonly talkId: string;
      readonly match: MatchInfo;
      readonly candidates: readonly Candidate[];
    }
  | { readonly kind: 'unmatched'; readonly reason: string; readonly candidates: readonly Candidate[] };

/** Match one recording to a talk of the event, exact evidence first, then scored evidence. */
export function matchRecording(item: RecordingItem, ctx: EventMatchContext, index: TalkIndex): MatchDecision {
  const exact = matchExact(item, ctx);
  if (exact) return { kind: 'matched', talkId: exact.talk.id, match: exact.match, candidates: [] };
  return matchByEvidence(item, ctx, index);
}

function matchByEvidence(item: RecordingItem, ctx: EventMatchContext, index: TalkIndex): MatchDecision {
  const found = gatherCandidates(item, ctx, index);
  if (found.ids.size === 0)
    return {
      kind: 'unmatched',
      reason: 'no talk of the event shares words or speakers with this recording',
      candidates: [],
    };
  const scored: Scored[] = [];
  for (const id of found.ids) {
    const talk = ctx.talks.get(id);
    const score = talk ? scoreCandidate(item, talk, ctx, found) : undefined;
    if (score) scored.push(score);
  }
  return decide(scored);
}

/**
 * The decision over scored candidates (any order): the best one is linked when its confidence
 * reaches {@link ACCEPT_CONFIDENCE} and the runner-up is clearly behind; otherwise nothing is, and
 * the five best are reported as candidates either way.
 */
export function decide(scoredCandidates: readonly Scored[]): MatchDecision {
  const scored = [...scoredCandidates].sort(
    (a, b) => b.confidence - a.confidence || a.talk.id.localeCompare(b.talk.id),
  );
  const candidates: Candidate[] = scored
    .slice(0, 5)
    .map((s) => ({ talkId: s.talk.id, score: round(s.confidence), evidence: s.evidence }));
  if (!scored[0]) return { kind: 'unmatched', reason: 'no candidate has enough title or speaker evidence', candidates };
  const { best, second, tieBrokenByDate } = breakTieByDate(scored);
  if (best.confidence < ACCEPT_CONFIDENCE) {
    return {
      kind: 'unmatched',
      reason: `best candidate's confidence ${best.confidence.toFixed(2)} is below ${ACCEPT_CONFIDENCE}`,
      candidates,
    };
  }
  // Too close to call unless the runner-up is clearly behind: by an absolute margin, or by having
  // at least MIN_DOUBT_RATIO times the best candidate's remaining doubt (shared evidence such as the
  // same speaker compresses differences near 1).
  if (second && tooClose(best, second)) {
    return {
      kind: 'unmatched',
      reason: `too close to call: ${best.talk.id} ${best.confidence.toFixed(2)} vs ${second.talk.id} ${second.confidence.toFixed(2)}`,
      candidates,
    };
  }
  const evidence = tieBrokenByDate
    ? [...best.evidence, 'the publication date fits this talk and not the other close candidates']
    : best.evidence;
  return {
    kind: 'matched',
    talkId: best.talk.id,
    match: { method: 'evidence', confidence: round(best.confidence), evidence },
    candidates,
  };
}

/** Is `other` too close to `best` to tell them apart by score alone? */
function tooClose(best: Scored, other: Scored): boolean {
  return (
    best.confidence - other.confidence < MIN_MARGIN && 1 - other.confidence < MIN_DOUBT_RATIO * (1 - best.confidence)
  );
}

/**
 * Dates only break ties: among candidates too close to call (sorted, best first), when exactly
 * one was published in a way that fits its event and every other close one does not, that one is
 * taken as the best, and the runner-up is then the first candidate not too close to it.
 */
function breakTieByDate(scored: readonly Scored[]): {
  best: Scored;
  second: Scored | undefined;
  tieBrokenByDate: boolean;
} {
  const top = scored[0]!;
  const close = scored.filter((s) => s === top || tooClose(top, s));
  const fitting = close.filter((s) => s.dateFits === true);
  if (close.length < 2 || fitting.length !== 1 || close.some((s) => s.dateFits === undefined))
    return { best: top, second: scored[1], tieBrokenByDate: false };
  const best = fitting[0]!;
  return { best, second: scored.find((s) => s !== best && !close.includes(s)), tieBrokenByDate: true };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
