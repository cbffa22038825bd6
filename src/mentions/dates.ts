/** Calendar dates written in a post, as ISO days (used to recognise an event by city and date). */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Dates written as 2013-12-05, 5 Dec 2013, 5DEC2013, December 5, 2013 or 05.12.2013. */
export function datesIn(text: string): string[] {
  const out = new Set<string>();
  const fmt = (y: number, m: number, d: number): void => {
    if (y > 1900 && y < 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
      out.add(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  };
  for (const m of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) fmt(+m[1]!, +m[2]!, +m[3]!);
  for (const m of text.matchAll(/\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([A-Za-z]{3,9})\.?,?\s*(\d{4})\b/g)) {
    const mon = MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    if (mon) fmt(+m[3]!, mon, +m[1]!);
  }
  for (const m of text.matchAll(/\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/g)) {
    const mon = MONTHS[m[1]!.toLowerCase().slice(0, 3)];
    if (mon) fmt(+m[3]!, mon, +m[2]!);
  }
  for (const m of text.matchAll(/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g)) fmt(+m[3]!, +m[2]!, +m[1]!);
  return [...out];
}
