import { expect } from 'chai';
import { secureEqual } from '../../../src/platform/secure-compare.ts';

describe('secureEqual', () => {
  it('is true only for the same string', () => {
    expect(secureEqual('test-admin-token', 'test-admin-token')).to.equal(true);
    expect(secureEqual('', '')).to.equal(true);
    expect(secureEqual('ünïcode-✓', 'ünïcode-✓')).to.equal(true);
  });

  for (const [given, expected] of [
    ['test-admin-tokem', 'test-admin-token'], // same length, last byte differs
    ['Test-admin-token', 'test-admin-token'], // same length, first byte differs
    ['test-admin-toke', 'test-admin-token'], // a prefix
    ['test-admin-token-and-more', 'test-admin-token'], // longer
    ['', 'test-admin-token'],
    ['e\u0301', '\u00e9'], // same text, other normal form: secrets compare as bytes
  ])
    it(`rejects ${JSON.stringify(given)} for ${JSON.stringify(expected)}`, () => {
      expect(secureEqual(given!, expected!)).to.equal(false);
    });
});
