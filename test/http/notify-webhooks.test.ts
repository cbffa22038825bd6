import { expect } from 'chai';
import { startApp, tempDir, type TestApp } from '../helpers/start-app.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';
import { startFakeServer } from '../helpers/fake-server.ts';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** A clock the test moves by hand, so retries come due without waiting. */
function manualClock(start = '2031-03-01T10:00:00.000Z') {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

async function seed(app: TestApp) {
  const store = app.services.store;
  await store.createEvent(eventRecord('oia-2031', 'OpenStack in Action 2031'));
  await store.createTalk(talkRecord('segments', 'oia-2031', 'From segments to services', 'Mark McClain'));
  await store.createTalk(talkRecord('icehouse', 'oia-2031', 'What is new in Icehouse', 'Thierry Carrez'));
  await store.createTalk(talkRecord('other', 'oia-2031', 'Storage for everyone', 'Ana Álvarez'));
}

async function subscribe(app: TestApp, receiver: Receiver, filter: Record<string, unknown>) {
  const res = await app.request('/api/subscriptions', {
    method: 'POST',
    admin: true,
    json: { webhook: receiver.url, ...filter },
  });
  expect(res.status, await res.clone().text()).to.equal(201);
  const body = (await res.json()) as { subscription: { id: string }; secret: string };
  receiver.useSecret(body.secret);
  return body;
}

const publish = (app: TestApp, talk: string, url = `https://media.ccc.de/v/oia-${talk}`) =>
  app.services.sources.linkRecording(talk, { url });

async function deliveries(app: TestApp, subId: string) {
  const res = await app.request(`/api/subscriptions/${subId}/deliveries`, { admin: true });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { deliveries: any[] }).deliveries;
}

describe('webhook notifications (Standard Webhooks)', function () {
  let app: TestApp;
  let receiver: Receiver;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    clock = manualClock();
    app = await startApp({ clock, env: { TALKREEL_DELIVER_TIMEOUT_MS: '500' } });
    receiver = await startWebhookReceiver();
    await seed(app);
  });
  afterEach(async () => {
    await app.close();
    await receiver.close();
  });

  it('needs the admin token, answers the secret once and never again', async () => {
    const anon = await app.request('/api/subscriptions', {
      method: 'POST',
      json: { webhook: receiver.url, talk: 'x' },
    });
    expect(anon.status).to.equal(401);
    const { subscription, secret } = await subscribe(app, receiver, { talk: 'guid-segments' });
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect((subscription as any).filter).to.deep.include({ kind: 'talk', key: 'segments' });
    const one = await (await app.request(`/api/subscriptions/${subscription.id}`, { admin: true })).text();
    const all = await (await app.request('/api/subscriptions', { admin: true })).text();
    expect(one).to.not.include(secret.slice(6, 20));
    expect(all).to.not.include(secret.slice(6, 20));
    expect(JSON.parse(all).subscriptions).to.have.length(1);
  });

  it('refuses bad bodies with the error envelope', async () => {
    const cases: [unknown, number][] = [
      [{ webhook: receiver.url }, 400],
      [{ webhook: receiver.url, talk: 'segments', event: 'oia-2031' }, 400],
      [{ webhook: receiver.url, email: 'a@example.org', talk: 'segments' }, 400],
      [{ webhook: 'ftp://example.org/hook', talk: 'segments' }, 400],
      [{ webhook: receiver.url, talk: 'segments', types: ['recording.exploded'] }, 400],
      [{ webhook: receiver.url, talk: 'no-such-talk' }, 404],
      [{ webhook: receiver.url, event: 'no-such-event' }, 404],
    ];
    for (const [json, status] of cases) {
      const res = await app.request('/api/subscriptions', { method: 'POST', admin: true, json });
      expect(res.status, JSON.stringify(json)).to.equal(status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.be.a('string');
      expect(body.error.message).to.be.a('string');
    }
    expect((await app.services.store.listSubscriptions()).length).to.equal(0);
  });

  it('delivers a signed recording.published within moments of the event, once per talk across providers', async () => {
    const { subscription } = await subscribe(app, receiver, { talk: 'segments' });
    app.services.deliverer.start();
    await publish(app, 'segments');
    await receiver.waitFor(1); // woken by the commit, not by a cron tick
    await app.services.deliverer.idle();
    await publish(app, 'segments', 'https://www.youtube.com/watch?v=abcdefghijk');
    await app.services.deliverer.runOnce();
    expect(receiver.rejected).to.deep.equal([]);
    expect(receiver.received).to.have.length(1);
    const [msg] = receiver.received;
    expect(msg!.type).to.equal('recording.published');
    expect(msg!.body.data.talk).to.deep.include({
      id: 'segments',
      title: 'From segments to services',
      url: 'http://talkreel.test/t/segments',
    });
    expect(msg!.body.data.talk.speakers).to.deep.equal(['Mark McClain']);
    expect(msg!.body.data.talk.event).to.deep.equal({ id: 'oia-2031', name: 'OpenStack in Action 2031' });
    expect(msg!.body.data.recording).to.deep.include({
      url: 'https://media.ccc.de/v/oia-segments',
      provider: 'mediaccc',
    });
    const list = await deliveries(app, subscription.id);
    expect(list).to.have.length(1);
    expect(list[0]).to.deep.include({ id: msg!.id, status: 'delivered', attempts: 1 });
  });

  it('POST /api/deliveries/run (admin) sends what is due now and answers the counts', async () => {
    await subscribe(app, receiver, { talk: 'segments' });
    await publish(app, 'segments');
    expect((await app.request('/api/deliveries/run', { method: 'POST' })).status).to.equal(401);
    expect(receiver.received).to.have.length(0);
    const res = await app.request('/api/deliveries/run', { method: 'POST', admin: true });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received.map((r) => r.type)).to.deep.equal(['recording.published']);
    const again = await app.request('/api/deliveries/run', { method: 'POST', admin: true });
    expect(await again.json()).to.deep.equal({ attempted: 0, delivered: 0, retrying: 0, failed: 0 });
  });

  it('matches speaker, event and recap-post filters, and only the types asked for', async () => {
    const speaker = await startWebhookReceiver();
    const event = await startWebhookReceiver();
    const mentioned = await startWebhookReceiver();
    try {
      await subscribe(app, speaker, { speaker: 'thierry CARREZ' });
      await subscribe(app, event, { event: 'oia-2031', types: ['recording.published', 'talk.mentioned'] });
      await subscribe(app, mentioned, { talk: 'segments', types: ['talk.mentioned'] });
      await publish(app, 'icehouse');
      await publish(app, 'other');
      await app.services.posts.submit({
        url: 'https://blog.example.org/recap',
        title: 'Recap',
        text: 'Mark McClain gave "From segments to services", the best talk of the day.',
      });
      await app.services.deliverer.runOnce();
      expect(speaker.received.map((r) => r.body.data.talk.id)).to.deep.equal(['icehouse']);
      expect(event.received.map((r) => `${r.type}:${r.body.data.talk.id}`).sort()).to.deep.equal([
        'recording.published:icehouse',
        'recording.published:other',
        'talk.mentioned:segments',
      ]);
      expect(mentioned.received.map((r) => r.type)).to.deep.equal(['talk.mentioned']);
      expect(mentioned.received[0]!.body.data.post.url).to.equal('https://blog.example.org/recap');
      for (const r of [speaker, event, mentioned]) expect(r.rejected).to.deep.equal([]);
    } finally {
      await Promise.all([speaker.close(), event.close(), mentioned.close()]);
    }
  });

  it('a post subscription covers talks the post comes to mention later', async () => {
    await subscribe(app, receiver, { post: 'https://blog.example.org/recap' });
    await app.services.posts.submit({ url: 'https://blog.example.org/recap', title: 'Recap', text: 'Soon.' });
    await publish(app, 'segments');
    await app.services.deliverer.runOnce();
    expect(receiver.received).to.have.length(0);
    await app.services.posts.submit({
      url: 'https://blog.example.org/recap',
      title: 'Recap',
      text: 'Update: Mark McClain on "From segments to services" and Thierry Carrez on "What is new in Icehouse".',
    });
    await publish(app, 'icehouse');
    await app.services.deliverer.runOnce();
    expect(receiver.received.map((r) => r.body.data.talk.id)).to.deep.equal(['icehouse']);
  });

  it('retries 500 and dropped connections with backoff and the same webhook-id, honours Retry-After', async () => {
    const { subscription } = await subscribe(app, receiver, { talk: 'segments' });
    receiver.behave({ status: 500 }, { closeConnection: true }, { status: 429, headers: { 'Retry-After': '3600' } });
    await publish(app, 'segments');
    await app.services.deliverer.runOnce();
    let [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'pending', attempts: 1 });
    const firstDue = Date.parse(d.nextAttemptAt) - clock.now().getTime();
    expect(firstDue).to.be.within(4_000, 6_000);
    await app.services.deliverer.runOnce(); // not due yet: nothing sent
    expect((await deliveries(app, subscription.id))[0].attempts).to.equal(1);

    clock.advance(firstDue);
    await app.services.deliverer.runOnce(); // connection closed
    [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'pending', attempts: 2 });
    clock.advance(Date.parse(d.nextAttemptAt) - clock.now().getTime());
    await app.services.deliverer.runOnce(); // 429, Retry-After one hour
    [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'pending', attempts: 3 });
    expect(Date.parse(d.nextAttemptAt) - clock.now().getTime()).to.be.at.least(3_600_000);
    clock.advance(3_600_000);
    await app.services.deliverer.runOnce();
    [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'delivered', attempts: 4 });
    expect(d.log.map((a: { outcome: string }) => a.outcome)).to.deep.equal(['retry', 'retry', 'retry', 'delivered']);
    expect(new Set(receiver.received.map((r) => r.id))).to.deep.equal(new Set([d.id]));
    expect(receiver.received).to.have.length(4);
  });

  it('a receiver that hangs is cut at the deadline and retried', async () => {
    const { subscription } = await subscribe(app, receiver, { talk: 'segments' });
    receiver.behave({ hang: true });
    await publish(app, 'segments');
    await app.services.deliverer.runOnce();
    const [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'pending', attempts: 1 });
    expect(d.log[0].error).to.match(/timeout|abort/i);
  });

  it('gives up after about a day of failures, then shows the delivery as failed; redeliver sends it again', async () => {
    const { subscription } = await subscribe(app, receiver, { talk: 'segments' });
    receiver.behave(...Array.from({ length: 8 }, () => ({ status: 503 })));
    const started = clock.now().getTime();
    await publish(app, 'segments');
    for (let i = 0; i < 8; i += 1) {
      await app.services.deliverer.runOnce();
      const [d] = await deliveries(app, subscription.id);
      if (d.status !== 'pending') break;
      clock.advance(Date.parse(d.nextAttemptAt) - clock.now().getTime());
    }
    const [d] = await deliveries(app, subscription.id);
    expect(d).to.deep.include({ status: 'failed', attempts: 8 });
    expect((clock.now().getTime() - started) / 3_600_000).to.be.within(20, 36);
    const failed = (await (await app.request('/api/deliveries?status=failed', { admin: true })).json()) as any;
    expect(failed.deliveries.map((x: { id: string }) => x.id)).to.deep.equal([d.id]);

    const again = await app.request(`/api/deliveries/${d.id}/redeliver`, { method: 'POST', admin: true });
    expect(again.status).to.equal(202);
    await app.services.deliverer.runOnce();
    expect((await deliveries(app, subscription.id))[0]).to.deep.include({ status: 'delivered' });
    expect(receiver.received.at(-1)!.id).to.equal(d.id);
    expect((await app.request('/api/deliveries/nope/redeliver', { method: 'POST', admin: true })).status).to.equal(404);
  });

  it('410 disables the subscription; a redirect is a failure, not followed', async () => {
    const target = await startFakeServer((_req, res) => {
      res.writeHead(204).end();
    });
    const moved = await startWebhookReceiver();
    try {
      const gone = await subscribe(app, receiver, { talk: 'segments' });
      receiver.behave({ status: 410 });
      const redirected = await subscribe(app, moved, { talk: 'segments' });
      moved.behave({ status: 307, headers: { Location: `${target.url}/elsewhere` } });
      await publish(app, 'segments');
      await app.services.deliverer.runOnce();
      const sub = (await (
        await app.request(`/api/subscriptions/${gone.subscription.id}`, { admin: true })
      ).json()) as any;
      expect(sub.subscription.status).to.equal('disabled');
      expect((await deliveries(app, gone.subscription.id))[0]).to.deep.include({ status: 'failed' });
      const [r] = await deliveries(app, redirected.subscription.id);
      expect(r).to.deep.include({ status: 'failed', attempts: 1 });
      expect(r.log[0]).to.deep.include({ httpStatus: 307 });
      expect(target.requests).to.have.length(0);
      // A disabled subscription gets nothing more.
      await publish(app, 'segments', 'https://vimeo.com/123456');
      await app.services.deliverer.runOnce();
      expect(receiver.received).to.have.length(1);
    } finally {
      await target.close();
      await moved.close();
    }
  });

  it('DELETE removes a subscription and its deliveries', async () => {
    const { subscription } = await subscribe(app, receiver, { talk: 'segments' });
    receiver.behave({ status: 500 });
    await publish(app, 'segments');
    await app.services.deliverer.runOnce();
    expect(
      (await app.request(`/api/subscriptions/${subscription.id}`, { method: 'DELETE', admin: true })).status,
    ).to.equal(204);
    expect((await app.request(`/api/subscriptions/${subscription.id}`, { admin: true })).status).to.equal(404);
    expect(await app.services.store.deliveriesWithStatus('pending')).to.have.length(0);
  });
});

describe('webhook notifications across a restart', function () {
  it('a delivery pending at shutdown is sent after the restart with the same webhook-id; nothing is lost', async () => {
    const dir = tempDir();
    const receiver = await startWebhookReceiver();
    const clock = manualClock();
    try {
      let app = await startApp({ clock, dataDir: dir.dir });
      await seed(app);
      await subscribe(app, receiver, { event: 'oia-2031' });
      receiver.behave({ status: 500 }, { status: 500 });
      await publish(app, 'segments');
      await publish(app, 'icehouse');
      await app.services.deliverer.runOnce();
      expect(receiver.received).to.have.length(2);
      await app.close();

      clock.advance(10_000);
      app = await startApp({ clock, dataDir: dir.dir });
      await app.services.deliverer.runOnce();
      await app.close();
      expect(receiver.rejected).to.deep.equal([]);
      const ids = receiver.received.map((r) => r.id);
      expect(ids).to.have.length(4);
      expect(new Set(ids).size).to.equal(2);
      expect(
        receiver.received
          .slice(2)
          .map((r) => r.id)
          .sort(),
      ).to.deep.equal(ids.slice(0, 2).sort());
    } finally {
      await receiver.close();
      dir.cleanup();
    }
  });

  it('refuses a callback on a private address unless private networks are allowed', async () => {
    const app = await startApp({ env: { TALKREEL_ALLOW_PRIVATE_NETWORK: 'off' } });
    try {
      await seed(app);
      for (const webhook of [
        'http://127.0.0.1:9/hook',
        'http://[::1]/hook',
        'http://10.0.0.8/hook',
        'http://localhost/x',
      ]) {
        const res = await app.request('/api/subscriptions', {
          method: 'POST',
          admin: true,
          json: { webhook, talk: 'segments' },
        });
        expect(res.status, webhook).to.equal(400);
        expect(((await res.json()) as any).error.code).to.equal('URL_NOT_ALLOWED');
      }
    } finally {
      await app.close();
    }
  });
});
