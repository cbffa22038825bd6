import { createHmac } from 'node:crypto';
import { expect } from 'chai';

import { verifyHubSignature } from '../../../src/recordings/websub.ts';

const hmac = (algorithm: string, secret: string, body: string): string =>
  createHmac(algorithm, secret).update(body, 'utf8').digest('hex');

describe('WebSub signature (X-Hub-Signature)', () => {
  const body = '<feed xmlns="http://www.w3.org/2005/Atom"><title>é</title></feed>';

  it('accepts sha1, sha256, sha384 and sha512 signatures of the exact body with the shared secret', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'])
      expect(
        verifyHubSignature('hub-secret', `${algorithm}=${hmac(algorithm, 'hub-secret', body)}`, body),
        algorithm,
      ).to.equal(true);
  });

  it('reads the algorithm and hex digits case-insensitively and tolerates surrounding spaces', () => {
    expect(
      verifyHubSignature('hub-secret', ` SHA256=${hmac('sha256', 'hub-secret', body).toUpperCase()} `, body),
    ).to.equal(true);
  });

  it('refuses a wrong secret, a changed body, an unknown algorithm, a malformed header, and everything without a secret', () => {
    const good = `sha1=${hmac('sha1', 'hub-secret', body)}`;
    expect(verifyHubSignature('hub-secret', `sha1=${hmac('sha1', 'other', body)}`, body)).to.equal(false);
    expect(verifyHubSignature('hub-secret', good, `${body} `)).to.equal(false);
    expect(verifyHubSignature('hub-secret', `md5=${hmac('md5', 'hub-secret', body)}`, body)).to.equal(false);
    expect(verifyHubSignature('hub-secret', hmac('sha1', 'hub-secret', body), body)).to.equal(false);
    expect(verifyHubSignature('hub-secret', 'sha1=', body)).to.equal(false);
    expect(verifyHubSignature('hub-secret', '', body)).to.equal(false);
    expect(verifyHubSignature(undefined, good, body)).to.equal(false);
    expect(verifyHubSignature('', good, body)).to.equal(false);
  });
});
