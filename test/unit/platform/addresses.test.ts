import { expect } from 'chai';
import { createHttpClient, isPrivateAddress } from '../../../src/platform/http-client.ts';

describe('private-network guard: every address form', () => {
  it('judges IPv4 inside IPv6 as the IPv4 address', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '::1',
      '::ffff:7f00:1',
      '::7f00:1',
      '::a00:1',
      '::ffff:10.0.0.1',
      'fe80::1',
      'fc00::1',
      '64:ff9b::7f00:1',
      '0.0.0.0',
      '::',
    ])
      expect(isPrivateAddress(a), a).to.equal(true);
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:5db8:d822'])
      expect(isPrivateAddress(a), a).to.equal(false);
  });

  it('refuses every spelling of loopback in a URL when private networks are not allowed', async () => {
    const http = createHttpClient({ timeoutMs: 1000, maxBytes: 1024, maxRedirects: 0, allowPrivateNetwork: false });
    for (const url of [
      'http://[::7f00:1]/',
      'http://[::127.0.0.1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://127.1/',
      'http://localhost./',
    ]) {
      expect(() => http.checkUrl(url), url).to.throw(/non-public|localhost/);
    }
  });
});
