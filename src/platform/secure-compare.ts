import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time equality of two secrets (bearer tokens, signatures).
 *
 * Both strings are hashed with SHA-256 first, so the comparison always runs over 32 bytes: neither
 * the time taken nor an early length check tells a caller how long the expected secret is.
 */
export function secureEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
