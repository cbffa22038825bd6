/** What a talk is about, as word stems: used to tell whether a paragraph naming its speaker is about it (pure). */
import type { Talk } from '../catalogue/types.ts';
import { STOPWORDS, tokenize } from '../text/normalize.ts';

/** A crude, language-neutral stem: the first five letters of longer words ("hostet"/"hosting" differ, "Mailserver"/"mailing" agree). */
export const stemOf = (word: string): string => (word.length >= 5 ? word.slice(0, 5) : word);

/** At most this many abstract words feed a talk's topic (bounds memory at catalogue scale). */
const TOPIC_ABSTRACT_WORDS = 60;

export function topicStems(
  t: Talk,
  speakers: readonly { readonly full: string }[],
  eventPhrases: readonly string[],
): Set<string> {
  const own = new Set(
    [...speakers.flatMap((s) => s.full.split(' ')), ...eventPhrases.flatMap((p) => p.split(' '))].map(stemOf),
  );
  const words = [
    ...tokenize([t.title, t.subtitle ?? '', t.track ?? ''].join(' ')),
    ...tokenize(t.abstract ?? '').slice(0, TOPIC_ABSTRACT_WORDS * 2),
  ].filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
  return new Set(words.map(stemOf).filter((s) => !own.has(s)));
}
