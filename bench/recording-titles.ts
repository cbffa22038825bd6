/**
 * Synthetic recording titles for the `pollRun` and `recordingMatch` benchmarks: how channels
 * decorate talk titles ("Speaker - Title", "Title | Event 2024", "[ACR] Title", "Title (City 2024)",
 * one-letter typos, subtitle dropped or appended) and titles of videos that are no talk of the
 * event (trailers, highlight reels, uploads of other conferences, random words).
 * Deterministic for a given `random` (see `prng` in bench/util.ts). No I/O.
 */
import type { SyntheticEvent, SyntheticTalk } from './synthetic.ts';

export type DecorationKind =
  | 'plain'
  | 'speakerDashTitle'
  | 'titlePipeEvent'
  | 'bracketAcronym'
  | 'titleCityYear'
  | 'titleDashSpeaker'
  | 'titleColonSubtitle';

export const DECORATION_KINDS: readonly DecorationKind[] = [
  'plain',
  'speakerDashTitle',
  'titlePipeEvent',
  'bracketAcronym',
  'titleCityYear',
  'titleDashSpeaker',
  'titleColonSubtitle',
];

/** Cumulative weights of the decorations (plain 20 %, speaker prefix 20 %, "| Event" 15 %, …). */
const DECORATION_WEIGHTS: readonly [DecorationKind, number][] = [
  ['plain', 0.2],
  ['speakerDashTitle', 0.2],
  ['titlePipeEvent', 0.15],
  ['bracketAcronym', 0.1],
  ['titleCityYear', 0.1],
  ['titleDashSpeaker', 0.1],
  ['titleColonSubtitle', 0.15],
];

export const UNRELATED_KINDS = ['generic', 'otherConference', 'randomWords'] as const;
export type UnrelatedKind = (typeof UNRELATED_KINDS)[number];

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One-letter edit (substitution, deletion, insertion or adjacent swap) of one word of ≥ 5 letters; the text unchanged if none. */
export function typo(text: string, random: () => number): string {
  const words = text.split(' ');
  const candidates = words.map((w, i) => ({ w, i })).filter(({ w }) => /^\p{L}{5,}$/u.test(w));
  const target = candidates[Math.floor(random() * candidates.length)];
  if (!target) return text;
  const w = target.w;
  const pos = 1 + Math.floor(random() * (w.length - 2)); // keep the first letter (as people do)
  const letter = (): string => LETTERS[Math.floor(random() * LETTERS.length)] ?? 'x';
  let edited: string;
  switch (Math.floor(random() * 4)) {
    case 0:
      edited = w.slice(0, pos) + letter() + w.slice(pos + 1);
      break;
    case 1:
      edited = w.slice(0, pos) + w.slice(pos + 1);
      break;
    case 2:
      edited = w.slice(0, pos) + letter() + w.slice(pos);
      break;
    default:
      edited = w.slice(0, pos) + (w[pos + 1] ?? '') + (w[pos] ?? '') + w.slice(pos + 2);
  }
  return words.map((x, i) => (i === target.i ? edited : x)).join(' ');
}

const year = (e: SyntheticEvent): string => e.startDate.slice(0, 4);

/** A recording title for `talk` as a channel would write it. `typoRate` adds a one-letter typo to the talk title part. */
export function decoratedTitle(
  talk: SyntheticTalk,
  event: SyntheticEvent,
  random: () => number,
  typoRate = 0.15,
): { title: string; kind: DecorationKind; typo: boolean } {
  let x = random();
  let kind: DecorationKind = 'plain';
  for (const [k, w] of DECORATION_WEIGHTS) {
    if (x < w) {
      kind = k;
      break;
    }
    x -= w;
  }
  const withTypo = random() < typoRate;
  const base = withTypo ? typo(talk.title, random) : talk.title;
  const speaker = talk.speakers[0]?.name ?? 'Unknown Speaker';
  let title: string;
  switch (kind) {
    case 'plain':
      title = base;
      break;
    case 'speakerDashTitle':
      title = `${speaker} - ${base}`;
      break;
    case 'titlePipeEvent':
      title = random() < 0.5 ? `${base} | ${event.name}` : `${base} | ${event.aliases[1] ?? event.name}`;
      break;
    case 'bracketAcronym':
      title = `[${event.acronym}${year(event).slice(2)}] ${base}`;
      break;
    case 'titleCityYear':
      title = `${base} (${event.city} ${year(event)})`;
      break;
    case 'titleDashSpeaker':
      title = `${base} – ${speaker}`;
      break;
    case 'titleColonSubtitle':
      // With a subtitle: "Title: Subtitle"; without one the subtitle is simply missing (plain title).
      title = talk.subtitle ? `${base}: ${talk.subtitle}` : base;
      break;
  }
  return { title, kind, typo: withTypo && base !== talk.title };
}

const GENERIC = [
  'Official Trailer',
  'Highlights Reel',
  'Q&A session',
  'Opening',
  'Sponsor Message',
  'Closing Ceremony',
  'Day 2 Livestream',
  'Behind the Scenes',
];

/**
 * A title of a video that is no talk of `event`: a generic one ("Highlights Reel | Event"), the
 * decorated title of `otherTalk` at `otherEvent` (an upload of another conference), or random words
 * taken from `wordPool`.
 */
export function unrelatedTitle(
  event: SyntheticEvent,
  otherTalk: SyntheticTalk,
  otherEvent: SyntheticEvent,
  wordPool: readonly string[],
  random: () => number,
): { title: string; kind: UnrelatedKind } {
  const x = random();
  if (x < 0.4) {
    const g = GENERIC[Math.floor(random() * GENERIC.length)] ?? 'Trailer';
    return { title: random() < 0.6 ? `${g} | ${event.name}` : g, kind: 'generic' };
  }
  if (x < 0.75) return { title: `${otherTalk.title} | ${otherEvent.name}`, kind: 'otherConference' };
  const n = 3 + Math.floor(random() * 5);
  const words = Array.from({ length: n }, () => wordPool[Math.floor(random() * wordPool.length)] ?? 'video');
  return { title: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' '), kind: 'randomWords' };
}

/** A YouTube-style video id (11 characters of the id alphabet) from a number. */
export function videoId(prefix: string, n: number): string {
  return `${prefix}${n.toString(36).padStart(11 - prefix.length, '0')}`.slice(0, 20);
}
