import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createServices, type Services } from '../../src/app/services.ts';
import { createApp } from '../../src/http/app.ts';
import { extraRoutes } from '../../src/wiring.ts';
import { openMemoryStore } from '../../src/store/open.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';
import { tempDir, testEnv } from '../helpers/start-app.ts';

const TALKS = 4000;

describe('HTTP: serving while the indexes build in the background (cold start)', function () {
  this.timeout(30_000);
  let services: Services;
  let server: http.Server;
  let url: string;
  const tmp = tempDir();

  before(async () => {
    const store = openMemoryStore();
    const words = ['quokka', 'wombat', 'numbat', 'bilby', 'dingo', 'possum', 'echidna', 'platypus'];
    await store.load({
      events: [eventRecord('cold-conf-2031', 'Cold Conf 2031')],
      talks: Array.from({ length: TALKS }, (_, i) =>
        talkRecord(
          `cold-${i}`,
          'cold-conf-2031',
          `${words[i % 8]} ${words[(i >> 3) % 8]} scaling ${i}`,
          `Speaker ${words[(i >> 6) % 8]} ${i}`,
        ),
      ),
    });
    const config = loadConfig(testEnv(tmp.dir));
    services = await createServices(config, createLogger('silent'), { store, indexesInBackground: true });
    server = http.createServer(createApp(services, extraRoutes).callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await services.indexes.whenReady;
    await services.close();
    tmp.cleanup();
  });

  it('answers health and store reads at once, 503 + Retry-After for lookups, applies commits made meanwhile, then serves all', async () => {
    expect(services.indexes.ready, 'the build is still running when the server listens').to.equal(false);
    const health = await fetch(`${url}/health`);
    expect(health.status).to.equal(200);
    const h = (await health.json()) as { status: string; indexes: string };
    expect(h).to.include({ status: 'starting', indexes: 'building' });

    const talk = await fetch(`${url}/api/talks/cold-7`);
    expect(talk.status).to.equal(200);
    expect(((await talk.json()) as { id: string }).id).to.equal('cold-7');
    expect((await fetch(`${url}/api/events/cold-conf-2031`)).status).to.equal(200);

    const lookup = await fetch(`${url}/api/lookup?q=quokka`);
    expect(lookup.status).to.equal(503);
    expect(lookup.headers.get('retry-after')).to.equal('1');
    expect(((await lookup.json()) as { error: { code: string } }).error.code).to.equal('INDEX_BUILDING');
    // A reference the store does not know may be a URL only the mention index resolves: 503, not 404.
    expect((await fetch(`${url}/api/talks/no-such-talk`)).status).to.equal(503);
    // A commit made during the build is applied once the build is done.
    const late = talkRecord('late-talk', 'cold-conf-2031', 'Marsupial Observability', 'Late Speaker');
    await services.store.load({ events: [], talks: [late] });
    expect(services.indexes.ready, 'still building after the commit').to.equal(false);

    await services.indexes.whenReady;
    expect(services.indexes.ready).to.equal(true);
    expect(services.index.talks.size).to.equal(TALKS + 1);
    expect(services.index.search('marsupial observability', {}).map((x) => x.id)).to.include('late-talk');
    const ready = (await (await fetch(`${url}/health`)).json()) as { status: string; indexes: string };
    expect(ready).to.include({ status: 'ok', indexes: 'ready' });
    const after = await fetch(`${url}/api/lookup?q=${encodeURIComponent('quokka wombat scaling 8')}`);
    expect(after.status).to.equal(200);
    expect(((await after.json()) as { results: { id: string }[] }).results[0]?.id).to.equal('cold-8');
    expect((await fetch(`${url}/api/talks/no-such-talk`)).status).to.equal(404);
  });
});
