/** The forms a speaker's name is written in (pure). */
import { tokenize } from '../text/normalize.ts';

/** Quotes and parentheses that set off a nickname: `Robert "Bob" Meyer`, `Ana (Nina) Ruiz`. */
const NICKNAME_RE = /["“”„«»(]\s*([^"“”„«»()]+?)\s*["“”„«»)]/g;

/**
 * The forms a speaker's name is written in, as 2–3 normalised words: the name as given (without a
 * nickname), first and last word alone (middle names and initials dropped), the nickname with the
 * last word, and the name with the nickname in place. Names longer than three words keep their
 * first three too (`Juan Carlos García López` → `juan carlos garcia`).
 */
export function nameForms(display: string): string[] {
  const nicknames = [...display.matchAll(NICKNAME_RE)].map((m) => tokenize(m[1]!)).filter((n) => n.length === 1);
  const words = tokenize(display.replace(NICKNAME_RE, ' '));
  const forms = new Set<string>();
  if (words.length === 0) return [];
  const first = words[0]!;
  const last = words[words.length - 1]!;
  if (words.length <= 3) forms.add(words.join(' '));
  else forms.add(words.slice(0, 3).join(' '));
  if (words.length >= 3) forms.add(`${first} ${last}`);
  const named = words.filter((w, i) => i === 0 || i === words.length - 1 || w.length > 1);
  if (named.length >= 2 && named.length <= 3) forms.add(named.join(' '));
  for (const [nick] of nicknames) {
    forms.add(`${nick} ${last}`);
    if (words.length === 2) forms.add(`${first} ${nick} ${last}`);
  }
  return [...forms].filter((f) => f.includes(' '));
}
