/**
 * Mention detection in a worker thread (issue 12, item 4): the real app on a random port, its
 * real worker, no mocks. Results through the worker equal the main thread's; commits reach it; a
 * killed worker gives 503 (with Retry-After) or a correct answer, never a 500, and comes back;
 * shutdown ends the thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import { detectMentions } from '../../src/mentions/detect.ts';
import { DetectionWorker } from '../../src/mentions/detection-worker.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { extractText } from '../../src/text/extract.ts';
import type { PostInput } from '../../src/posts/service.ts';
import { CATALOGUE_DIR, importCatalogue, POSTS_DIR } from '../../bench/mentions-quality.ts';

const DEMO = 'openstack-in-action-paris-2013';
const RECAP = fs.readFileSync(new URL('../fixtures/posts/recap-oia-paris.txt', import.meta.url), 'utf8');

/** The labelled recap posts of the mention-quality bench, as detection input. */
function labelledPosts(): { file: string; input: PostInput }[] {
  return fs
    .readdirSync(POSTS_DIR)
    .filter((f) => /\.(html|md|txt)$/.test(f))
    .sort()
    .map((file) => {
      const body = fs.readFileSync(path.join(POSTS_DIR, file), 'utf8');
      return { file, input: file.endsWith('.html') ? { html: body } : { text: body } };
    });
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('DETECTION_UNAVAILABLE');
    return (err as DomainError & { details: { reason: string } }).details.reason;
  }
}

describe('mention detection in a worker thread', function () {
  this.timeout(60_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('is on by default and ready once the services are built; /health says so', async () => {
    expect(app.services.config.detectWorker).to.equal(true);
    expect(app.services.detector?.status().state).to.equal('ready');
    const health = (await (await app.request('/health')).json()) as { detection: unknown };
    expect(health.detection).to.deep.equal({ runsIn: 'worker', state: 'ready', restarts: 0 });
  });

  it('finds what the main thread finds, post by post, for a catalogue imported after start and again after a rebuild from a snapshot', async () => {
    // Imported after the worker started: every talk reaches it as a forwarded commit.
    await importCatalogue(app.services, CATALOGUE_DIR);
    const posts = labelledPosts();
    expect(posts.length).to.be.greaterThan(20);
    const detector = app.services.detector!;
    const compare = async () => {
      let found = 0;
      for (const { file, input } of posts) {
        const doc = app.services.posts.document(input);
        const inThread = detectMentions(doc, app.services.mentions);
        const viaWorker = await detector.detect(doc, { offThreadOnly: true });
        expect(viaWorker, file).to.deep.equal(inThread);
        found += viaWorker.length;
      }
      return found;
    };
    expect(await compare()).to.be.greaterThan(50);
    // A new worker builds from a snapshot of the same catalogue: same answers.
    await detector.kill();
    await detector.whenReady();
    expect(detector.status().restarts).to.equal(1);
    expect(await compare()).to.be.greaterThan(50);
  });

  it('the public route answers from the worker exactly what in-thread detection finds', async () => {
    await seedIfEmpty(app.services);
    const res = await app.request('/api/mentions/detect', { method: 'POST', json: { text: RECAP } });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { mentions: { talkId: string; confidence: number; start: number }[] };
    const inThread = detectMentions(extractText(RECAP), app.services.mentions);
    expect(inThread.length).to.be.greaterThan(0);
    expect(body.mentions.map((m) => [m.talkId, m.confidence, m.start])).to.deep.equal(
      inThread.map((m) => [m.talkId, m.confidence, m.start]),
    );
  });

  it('detects a talk created after start (its commit is forwarded before the next request)', async () => {
    await seedIfEmpty(app.services);
    const text = 'Yesterday Ada Quillfeather walked us through Zanzibar Glacier Telemetry at the summit.';
    const before = await app.request('/api/mentions/detect', { method: 'POST', json: { text } });
    expect(((await before.json()) as { mentions: unknown[] }).mentions).to.deep.equal([]);
    const created = await app.request(`/api/events/${DEMO}/talks`, {
      method: 'POST',
      admin: true,
      json: { title: 'Zanzibar Glacier Telemetry', speakers: [{ name: 'Ada Quillfeather' }] },
    });
    expect(created.status).to.equal(201);
    const talk = (await created.json()) as { id: string };
    const after = await app.request('/api/mentions/detect', { method: 'POST', json: { text } });
    expect(after.status).to.equal(200);
    const mentions = ((await after.json()) as { mentions: { talkId: string }[] }).mentions;
    expect(mentions.map((m) => m.talkId)).to.deep.equal([talk.id]);
  });

  it('a talk created while the worker rebuilds is found once it is back (snapshot or held commit)', async () => {
    await seedIfEmpty(app.services);
    const detector = app.services.detector!;
    await detector.kill();
    const created = await app.request(`/api/events/${DEMO}/talks`, {
      method: 'POST',
      admin: true,
      json: { title: 'Quokka Lattice Scheduling', speakers: [{ name: 'Bo Vantwest' }] },
    });
    const talk = (await created.json()) as { id: string };
    await detector.whenReady();
    const doc = extractText('Bo Vantwest explained Quokka Lattice Scheduling to a full room.');
    expect((await detector.detect(doc, { offThreadOnly: true })).map((m) => m.talkId)).to.deep.equal([talk.id]);
  });

  it('a killed worker: the request it was running fails with 503, the next ones get 503 with Retry-After or a correct answer, never a 500, and detection comes back', async () => {
    await seedIfEmpty(app.services);
    const detector = app.services.detector!;
    const expected = detectMentions(extractText(RECAP), app.services.mentions).map((m) => m.talkId);
    // Killed while detecting: that request fails cleanly.
    const running = detector.detect(extractText(RECAP.repeat(200)), { offThreadOnly: true });
    await detector.kill();
    expect(await reason(running)).to.equal('restarting');
    // Right after: 503 while it rebuilds, or the answer once it is back.
    for (let i = 0; i < 5; i += 1) {
      const res = await app.request('/api/mentions/detect', { method: 'POST', admin: true, json: { text: RECAP } });
      expect(res.status).to.be.oneOf([200, 503]);
      const body = (await res.json()) as { mentions?: { talkId: string }[]; error?: { code: string } };
      if (res.status === 503) {
        expect(body.error?.code).to.equal('DETECTION_UNAVAILABLE');
        expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      } else expect(body.mentions?.map((m) => m.talkId)).to.deep.equal(expected);
    }
    // Internal callers (post submission) never fail for a restart: they run in-thread meanwhile.
    await detector.kill();
    const submitted = await app.request('/api/posts', { method: 'POST', admin: true, json: { text: RECAP } });
    expect(submitted.status).to.equal(201);
    await detector.whenReady();
    const res = await app.request('/api/mentions/detect', { method: 'POST', admin: true, json: { text: RECAP } });
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { mentions: { talkId: string }[] }).mentions.map((m) => m.talkId)).to.deep.equal(
      expected,
    );
    expect(detector.status()).to.include({ state: 'ready', restarts: 2 });
  });

  it('shutdown (Services.close) terminates the thread and refuses further requests', async () => {
    const detector = app.services.detector!;
    expect(detector.status().threadId).to.be.greaterThan(0);
    await app.services.close();
    expect(detector.status()).to.include({ state: 'closed', threadId: -1 });
    expect(await reason(detector.detect(extractText(RECAP)))).to.equal('stopping');
  });
});

describe('the detection worker’s bounds', function () {
  this.timeout(60_000);
  let app: TestApp;
  let worker: DetectionWorker | undefined;

  beforeEach(async () => {
    app = await startApp({ env: { TALKREEL_DETECT_WORKER: 'off' } });
    await seedIfEmpty(app.services);
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await app.close();
  });

  const launch = (opts: { queueLimit?: number; deadlineMs?: number } = {}) =>
    DetectionWorker.launch({
      store: app.services.store,
      publicUrl: app.services.config.publicUrl,
      logger: app.services.logger,
      inThread: (doc, o) => detectMentions(doc, app.services.mentions, o),
      ...opts,
    });

  it('TALKREEL_DETECT_WORKER: on by default, off, and anything else refused at start', () => {
    expect(loadConfig({}).detectWorker).to.equal(true);
    expect(loadConfig({ TALKREEL_DETECT_WORKER: 'off' }).detectWorker).to.equal(false);
    expect(() => loadConfig({ TALKREEL_DETECT_WORKER: 'sometimes' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/TALKREEL_DETECT_WORKER must be on\/off/);
  });

  it('off: no worker, detection on the main thread', async () => {
    expect(app.services.detector).to.equal(undefined);
    const res = await app.request('/api/mentions/detect', { method: 'POST', json: { text: RECAP } });
    expect(res.status).to.equal(200);
    const health = (await (await app.request('/health')).json()) as { detection: unknown };
    expect(health.detection).to.deep.equal({ runsIn: 'main thread' });
  });

  it('until ready: public requests get DETECTION_UNAVAILABLE (starting), internal ones run in-thread', async () => {
    worker = launch();
    const doc = extractText(RECAP);
    expect(await reason(worker.detect(doc, { offThreadOnly: true }))).to.equal('starting');
    expect(await worker.detect(doc)).to.deep.equal(detectMentions(doc, app.services.mentions));
    await worker.started();
    expect(await worker.detect(doc, { offThreadOnly: true })).to.deep.equal(detectMentions(doc, app.services.mentions));
  });

  it('a full queue refuses public requests (busy); internal ones still queue', async () => {
    worker = launch({ queueLimit: 1 });
    await worker.started();
    const big = extractText(RECAP.repeat(40));
    const first = worker.detect(big, { offThreadOnly: true }); // running
    const second = worker.detect(big, { offThreadOnly: true }); // waiting: the queue is full
    expect(await reason(worker.detect(big, { offThreadOnly: true }))).to.equal('busy');
    const internal = worker.detect(extractText(RECAP));
    expect(await reason(first)).to.equal('resolved');
    expect(await reason(second)).to.equal('resolved');
    expect(await internal).to.deep.equal(detectMentions(extractText(RECAP), app.services.mentions));
  });

  it('a request past its deadline fails (timeout); a detection running past it restarts the worker', async () => {
    worker = launch({ deadlineMs: 30 });
    await worker.started();
    const big = extractText(RECAP.repeat(200));
    const started = performance.now();
    expect(await reason(worker.detect(big, { offThreadOnly: true }))).to.equal('timeout');
    expect(performance.now() - started).to.be.lessThan(1_000);
    // The watchdog ends the runaway detection: a new worker is built.
    while (worker.status().restarts === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await worker.whenReady();
    expect(worker.status()).to.include({ state: 'ready', restarts: 1 });
  });
});
