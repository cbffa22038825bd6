import { createHash, randomBytes } from 'node:crypto';

/**
 * URL-safe slug: ASCII letters/digits and single dashes, accents folded, at most `max` characters
 * cut on a word boundary. Returns '' when nothing is left.
 */
export function slugify(text: string, max = 60): string {
  const base = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (base.length <= max) return base;
  const cut = base.slice(0, max + 1);
  const i = cut.lastIndexOf('-');
  return (i > 10 ? cut.slice(0, i) : base.slice(0, max)).replace(/-+$/, '');
}

/** A valid record id: the slug alphabet plus `_`, 1–120 characters, no slashes. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,119}$/;

/** Random id with a readable prefix, e.g. `src_3f9a0c1b2d4e`. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Deterministic id with a readable prefix: the same parts give the same id on every instance, so a
 * fact reported twice (two writers, a retry) is recognised as one, e.g. `evt_9c1f…`.
 */
export function stableId(prefix: string, ...parts: readonly string[]): string {
  return `${prefix}_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24)}`;
}

/** decodeURIComponent that answers undefined for malformed escapes (`%E0`, `100%`) instead of throwing. */
export function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
