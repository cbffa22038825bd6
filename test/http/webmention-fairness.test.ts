import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

/** One sender floods from one host (whose pages hang); a legitimate sender on another host is served in turn. */
describe('Webmention queue: per-host bounds and fair turns (issue 12)', function () {
  this.timeout(30_000);
  let app: TestApp;
  const arrivals: string[] = [];
  const servers: http.Server[] = [];
  const serve = async (name: string, handler: (res: http.ServerResponse) => void) => {
    const server = http.createServer((req, res) => {
      arrivals.push(name);
      handler(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  after(async () => {
    await app.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('refuses the 21st waiting Webmention from one host with 429, and still verifies another host early', async () => {
    app = await startApp({ env: { TALKREEL_FETCH_TIMEOUT_MS: '300' } });
    await app.services.store.createEvent(eventRecord('ev-wm', 'Event WM'));
    await app.services.store.createTalk(talkRecord('wm-talk', 'ev-wm', 'Fair queues in practice', 'Ana Example'));
    const target = 'http://talkreel.test/t/wm-talk';
    const flood = await serve('flood', () => undefined); // never answers
    const legit = await serve('legit', (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body><p>A recap: <a href="${target}">fair queues</a>.</p></body></html>`);
    });
    const send = (source: string) =>
      app.request('/webmention', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ source, target }).toString(),
      });
    const statuses: number[] = [];
    // Two verifications run at once and leave the queue, so 22 fit before the host's 20 waiting slots are full.
    for (let i = 0; i < 23; i += 1) statuses.push((await send(`${flood}/spam-${i}`)).status);
    expect(statuses.filter((s) => s === 202).length).to.be.within(20, 22);
    expect(statuses.at(-1)).to.equal(429);
    expect((await send(`${legit}/recap`)).status).to.equal(202);
    await app.services.webmentions.idle();
    // The legitimate page was fetched after at most one flooded page per worker, not after all of them.
    expect(arrivals.indexOf('legit')).to.be.at.most(4);
    const accepted = await app.services.store.webmentionsWithStatus('accepted');
    expect(accepted.map((w) => w.source)).to.deep.equal([`${legit}/recap`]);
  });
});
