import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { SourceParseError, type RecordingItem } from '../../src/recordings/source.ts';

/** A feed fixture from test/fixtures/feeds. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');
}

/** Run `fn`, expecting a SourceParseError, and return it. */
export function parseError(fn: () => unknown): SourceParseError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(SourceParseError);
    return error as SourceParseError;
  }
  return expect.fail('expected a SourceParseError');
}

/** The item with this key, failing the test when there is none. */
export function byKey(items: readonly RecordingItem[], key: string): RecordingItem {
  const found = items.find((i) => i.key === key);
  if (found === undefined) return expect.fail(`no item ${key}`);
  return found;
}
