import { normalizeText, tokenize, STOPWORDS } from '../text/normalize.ts';
import type { EventMatchContext } from './match-context.ts';

const SEPARATORS = /\s+[-–—|~•·]\s+|\s*[|]\s*|:\s+|\s*[[\]()]\s*/;

/**
 * Title variants with decorations removed: "Speaker: Title", "Title - Event 2013",
 * "Title | Event", "[Event] Title", "Title (Event Paris 2013)". `foreign` names a part that reads as
 * another event or edition (a year this event does not have, or an event-like part with words of
 * its own next to the year): the recording was probably made elsewhere.
 */
export function titleVariants(
  title: string,
  ctx: EventMatchContext,
  speakerNames: readonly string[],
  talkTitle = '',
): { variants: string[]; foreign: string | undefined } {
  const talkTokens = new Set(tokenize(talkTitle));
  const variants = new Set<string>();
  const full = title.trim();
  if (full) variants.add(full);
  const parts = full
    .split(SEPARATORS)
    .map((p) => p?.trim())
    .filter((p): p is string => Boolean(p));
  const speakerTokens = new Set(speakerNames.flatMap((n) => tokenize(n)));
  const explained = (t: string): boolean =>
    ctx.eventWords.has(t) || speakerTokens.has(t) || /^\d{1,3}$/.test(t) || DECORATION_WORDS.has(t);
  const isYear = (t: string): boolean => /^(19|20)\d{2}$/.test(t);
  const isDecoration = (part: string): boolean => {
    const tokens = tokenize(part).filter((t) => !STOPWORDS.has(t));
    return tokens.every((t) => explained(t) || (isYear(t) && ctx.eventWords.has(t)));
  };
  const kept = parts.filter((p) => !isDecoration(p));
  if (kept.length > 0 && kept.length < parts.length) variants.add(kept.join(' '));
  // A trailing bracketed note sharing no word with the talk's title is about the upload, in
  // whatever language ("(re-upload, fixed audio)", "[nueva subida, audio corregido]"): compare
  // without it too.
  const note = /\s*[([]([^()[\]]+)[)\]]\s*$/.exec(full);
  if (note && !tokenize(note[1]!).some((t) => talkTokens.has(t) && !STOPWORDS.has(t))) {
    const rest = full.slice(0, note.index).trim();
    if (rest) variants.add(rest);
  }
  // A leading or trailing part with a year, naming another edition or another event.
  let foreign: string | undefined;
  if (parts.length > 1) {
    for (const part of [parts[0]!, parts[parts.length - 1]!]) {
      const tokens = tokenize(part).filter((t) => !STOPWORDS.has(t));
      const years = tokens.filter(isYear);
      // Words the part shares with the talk's title make it part of the title, unless they are
      // the event's own words ("Les logiciels libres…" at "Alpes Libres").
      if (years.length === 0 || tokens.some((t) => talkTokens.has(t) && !isYear(t) && !ctx.eventWords.has(t))) continue;
      const otherEdition = years.some((y) => !ctx.eventWords.has(y));
      const ownWords = tokens.some((t) => !isYear(t) && !explained(t));
      if (otherEdition || (ownWords && kept.length > 1)) foreign ??= part;
    }
  }
  // A year anywhere in the title that is neither the event's nor in the talk's own title
  // ("Welcome to Elbe Hackdays 2022", "Self-Hosting Email in 2022" at the 2023 edition).
  const stray = tokenize(full).find((t) => isYear(t) && !ctx.eventWords.has(t) && !talkTokens.has(t));
  if (stray) foreign ??= stray;
  // Event name inside the same part ("Havana to Icehouse OpenStack in Action 4").
  const n = normalizeText(full);
  for (const phrase of ctx.eventPhrases) {
    if (phrase.split(' ').length >= 2 && n.includes(phrase)) {
      const stripped = n.replace(phrase, ' ').replace(/\s+/g, ' ').trim();
      if (stripped) variants.add(stripped);
    }
  }
  return { variants: [...variants], foreign };
}

/** Words that decorate video titles without naming the talk. */
export const DECORATION_WORDS = new Set([
  'keynote',
  'talk',
  'video',
  'recording',
  'session',
  'live',
  'full',
  'hd',
  'conference',
  'summit',
  'day',
  'opening',
  'en',
  'de',
  'fr',
  'lecture',
]);
