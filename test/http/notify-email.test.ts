/**
 * Email notifications end to end: the real app, a real lowdb store, nodemailer talking to a real
 * local SMTP server (`smtp-server`), every mail parsed back with `mailparser`. Deliveries are sent
 * by `deliverer.runOnce()`, so nothing here waits on a timer.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

const PUBLIC_URL = 'http://talkreel.test';

type Received = { readonly from: string; readonly to: string[]; readonly raw: string; readonly mail: ParsedMail };
/** Where the server refuses, and with which code; undefined accepts. */
type Refusal = { readonly stage: 'rcpt' | 'data'; readonly code: number } | undefined;

type Smtp = {
  readonly url: string;
  readonly received: Received[];
  refuse: Refusal;
  close(): Promise<void>;
};

function smtpError(code: number): Error {
  const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
  err.responseCode = code;
  return err;
}

/** A plain (no STARTTLS, no auth) SMTP server on 127.0.0.1 that keeps what it accepts. */
async function startSmtp(): Promise<Smtp> {
  const received: Received[] = [];
  const state: Smtp = {
    url: '',
    received,
    refuse: undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    onRcptTo(_address: SMTPServerAddress, _session, cb) {
      cb(state.refuse?.stage === 'rcpt' ? smtpError(state.refuse.code) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.refuse?.stage === 'data') return cb(smtpError(state.refuse.code));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: raw.toString(), mail });
            cb();
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, { url: `smtp://127.0.0.1:${port}` });
}

/** The value of a raw header line (mailparser turns List-* headers into objects). */
function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

const textOf = (mail: ParsedMail): string => mail.text ?? '';
const htmlOf = (mail: ParsedMail): string => (typeof mail.html === 'string' ? mail.html : '');

/** The one link in `text` to `/subscriptions/<what>?token=…`, made to point at the test app. */
function linkIn(app: TestApp, text: string, what: 'confirm' | 'unsubscribe'): string {
  const links = text.match(
    new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/subscriptions/${what}\\?token=[A-Za-z0-9_%-]+`, 'g'),
  );
  expect(links, `a ${what} link in:\n${text}`).to.not.equal(null);
  expect(new Set(links)).to.have.property('size', 1);
  return links![0]!.replace(PUBLIC_URL, app.url);
}

const subscribe = (app: TestApp, body: Record<string, unknown>) =>
  app.request('/api/subscriptions', { method: 'POST', json: body });

const openLink = (url: string, init: RequestInit = {}) =>
  fetch(url, { redirect: 'manual', ...init, headers: { accept: 'text/html', ...init.headers } });

const EVENT = 'openinfra-paris';

/** The event `openinfra-paris` with the given talks (id → [title, speaker]). */
async function seed(app: TestApp, talks: Record<string, readonly [string, string]>): Promise<void> {
  const store = app.services.store;
  expect(await store.createEvent(eventRecord(EVENT, 'OpenInfra Summit Paris'))).to.equal(true);
  for (const [id, [title, speaker]] of Object.entries(talks))
    expect(await store.createTalk(talkRecord(id, EVENT, title, speaker))).to.equal(true);
}

const publish = (app: TestApp, talkId: string, slug = talkId) =>
  app.services.sources.linkRecording(talkId, { url: `https://media.ccc.de/v/${slug}` });

async function subscriptionOf(app: TestApp, email: string) {
  const res = await app.request('/api/subscriptions', { admin: true });
  expect(res.status).to.equal(200);
  const body = (await res.json()) as { subscriptions: { id: string; email?: string; status: string }[] };
  const sub = body.subscriptions.find((s) => s.email === email);
  expect(sub, `subscription of ${email}`).to.not.equal(undefined);
  return sub!;
}

async function deliveriesOf(app: TestApp, subscriptionId: string) {
  const res = await app.request(`/api/subscriptions/${subscriptionId}/deliveries`, { admin: true });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { deliveries: { type: string; status: string; attempts: number; log: unknown[] }[] })
    .deliveries;
}

describe('HTTP: email notifications over a real SMTP server', function () {
  this.timeout(15_000);
  let smtp: Smtp;
  let app: TestApp;

  beforeEach(async () => {
    smtp = await startSmtp();
    app = await startApp({ env: { TALKREEL_SMTP_URL: smtp.url, TALKREEL_MAIL_FROM: 'Talkreel <news@talkreel.test>' } });
  });
  afterEach(async () => {
    await app.close();
    await smtp.close();
  });

  const mailsTo = (address: string) => smtp.received.filter((r) => r.to.includes(address));

  it('double opt-in for a talk: one confirmation mail (text + HTML, RFC 8058 headers), confirm page, "Recording out" mail, unsubscribe link', async () => {
    await seed(app, { 'havana-to-icehouse': ['Havana to Icehouse', 'Thierry Carrez'] });
    const email = 'ada@example.org';

    const res = await subscribe(app, { email: 'Ada@Example.org', talk: 'havana-to-icehouse' });
    expect(res.status).to.equal(202);
    const accepted = (await res.json()) as { status: string; email: string; filter: { kind: string; label: string } };
    expect(accepted).to.include({ status: 'pending', email });
    expect(accepted.filter).to.deep.equal({ kind: 'talk', label: 'Havana to Icehouse' });

    expect(smtp.received).to.have.length(0, 'nothing is sent before the deliverer runs');
    const run = await app.services.deliverer.runOnce();
    expect(run).to.include({ attempted: 1, delivered: 1, failed: 0 });
    expect(smtp.received).to.have.length(1);
    const confirmation = smtp.received[0]!;
    expect(confirmation.to).to.deep.equal([email]);
    expect(confirmation.from).to.equal('news@talkreel.test');
    const m = confirmation.mail;
    expect(m.subject).to.equal('Confirm: news about the talk “Havana to Icehouse”');
    expect(confirmation.raw).to.match(/^Content-Type: multipart\/alternative/im);
    expect(textOf(m)).to.include('Havana to Icehouse');
    expect(htmlOf(m)).to.match(/^<!doctype html>/i);
    const unsubscribeHeader = header(m, 'List-Unsubscribe');
    expect(unsubscribeHeader).to.match(
      /^<http:\/\/talkreel\.test\/subscriptions\/unsubscribe\?token=[A-Za-z0-9_-]{20,}>$/,
    );
    expect(header(m, 'List-Unsubscribe-Post')).to.equal('List-Unsubscribe=One-Click');
    const confirm = linkIn(app, textOf(m), 'confirm');
    expect(htmlOf(m)).to.include(`href="${confirm.replace(app.url, PUBLIC_URL)}"`);
    expect(linkIn(app, textOf(m), 'unsubscribe')).to.equal(
      unsubscribeHeader!.slice(1, -1).replace(PUBLIC_URL, app.url),
    );

    const page = await openLink(confirm);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const pageHtml = await page.text();
    expect(pageHtml).to.include('Subscription confirmed').and.include('Havana to Icehouse').and.include(email);
    expect((await subscriptionOf(app, email)).status).to.equal('active');
    // Mail scanners fetch links before the person clicks: a second visit is still a confirmation.
    const again = await openLink(confirm);
    expect(again.status).to.equal(200);
    expect(await again.text()).to.include('Subscription confirmed');

    await publish(app, 'havana-to-icehouse');
    await app.services.deliverer.runOnce();
    expect(smtp.received).to.have.length(2);
    const news = smtp.received[1]!;
    expect(news.to).to.deep.equal([email]);
    expect(news.mail.subject).to.equal('Recording out: Havana to Icehouse');
    expect(textOf(news.mail)).to.include('https://media.ccc.de/v/havana-to-icehouse').and.include('Thierry Carrez');
    expect(htmlOf(news.mail)).to.include('href="https://media.ccc.de/v/havana-to-icehouse"');
    expect(header(news.mail, 'List-Unsubscribe-Post')).to.equal('List-Unsubscribe=One-Click');
    expect(header(news.mail, 'List-Unsubscribe')).to.equal(unsubscribeHeader);
    const unsubscribe = linkIn(app, textOf(news.mail), 'unsubscribe');

    const bye = await openLink(unsubscribe);
    expect(bye.status).to.equal(200);
    expect(bye.headers.get('content-type')).to.match(/^text\/html/);
    expect(await bye.text())
      .to.include('Unsubscribed')
      .and.include(email);
    expect((await subscriptionOf(app, email)).status).to.equal('unsubscribed');
    // The link stays valid (idempotent): a second click is not an error.
    expect((await openLink(unsubscribe)).status).to.equal(200);
    // The old confirmation link does not subscribe the address again.
    const stale = await openLink(confirm);
    expect(stale.status).to.equal(404);
    await stale.body?.cancel();
    expect((await subscriptionOf(app, email)).status).to.equal('unsubscribed');

    await app.services.deliverer.runOnce();
    expect(smtp.received).to.have.length(2);
  });

  it('an event subscription: news published before confirming is not sent; after the unsubscribe link, nothing more is', async () => {
    await seed(app, {
      'talk-one': ['Talk One', 'Alice Example'],
      'talk-two': ['Talk Two', 'Bob Example'],
      'talk-three': ['Talk Three', 'Carol Example'],
    });
    const email = 'grace@example.org';
    expect((await subscribe(app, { email, event: EVENT })).status).to.equal(202);
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(1);
    const confirm = linkIn(app, textOf(mailsTo(email)[0]!.mail), 'confirm');

    await publish(app, 'talk-one');
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(1, 'no news before the subscription is confirmed');
    const sub = await subscriptionOf(app, email);
    expect((await deliveriesOf(app, sub.id)).map((d) => d.type)).to.deep.equal(['subscription.confirm']);

    const page = await openLink(confirm);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('OpenInfra Summit Paris');

    await publish(app, 'talk-two');
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(2);
    const news = mailsTo(email)[1]!.mail;
    expect(news.subject).to.equal('Recording out: Talk Two');
    expect(textOf(news)).to.include('https://media.ccc.de/v/talk-two');

    expect((await openLink(linkIn(app, textOf(news), 'unsubscribe'))).status).to.equal(200);
    await publish(app, 'talk-three');
    const run = await app.services.deliverer.runOnce();
    expect(run.attempted).to.equal(0);
    expect(mailsTo(email)).to.have.length(2);
    expect(await deliveriesOf(app, sub.id)).to.have.length(2, 'no delivery queued for an unsubscribed address');
  });

  it('RFC 8058 one-click: POST to the List-Unsubscribe URL with List-Unsubscribe=One-Click unsubscribes', async () => {
    await seed(app, { 'talk-one': ['Talk One', 'Alice Example'], 'talk-two': ['Talk Two', 'Alice Example'] });
    const email = 'oneclick@example.org';
    expect((await subscribe(app, { email, speaker: 'Alice Example' })).status).to.equal(202);
    await app.services.deliverer.runOnce();
    const m = mailsTo(email)[0]!.mail;
    expect((await openLink(linkIn(app, textOf(m), 'confirm'))).status).to.equal(200);

    const target = header(m, 'List-Unsubscribe')!.slice(1, -1).replace(PUBLIC_URL, app.url);
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(res.status).to.equal(200);
    expect(await res.text()).to.include('Unsubscribed');
    expect((await subscriptionOf(app, email)).status).to.equal('unsubscribed');

    await publish(app, 'talk-one');
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(1);
  });

  it('no mail storm: the same request 5 times sends one confirmation; beyond the per-address limit, 429 with Retry-After and the error envelope', async () => {
    await seed(app, { 'talk-one': ['Talk One', 'Alice Example'] });
    const email = 'storm@example.org';
    for (let i = 0; i < 5; i++) {
      const res = await subscribe(app, { email: i % 2 ? email.toUpperCase() : email, talk: 'talk-one' });
      expect(res.status).to.equal(202);
    }
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(1);

    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 20 && !limited; i++) {
      const res = await subscribe(app, { email, talk: 'talk-one' });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.body?.cancel();
    }
    expect(limited, `statuses ${statuses.join(',')}`).to.not.equal(undefined);
    expect(statuses.slice(0, -1).every((s) => s === 202)).to.equal(true);
    expect(limited!.headers.get('content-type')).to.match(/^application\/json/);
    const retryAfter = limited!.headers.get('retry-after');
    expect(retryAfter).to.match(/^\d+$/);
    expect(Number(retryAfter)).to.be.within(1, 3600);
    const body = (await limited!.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error).to.have.all.keys('code', 'message', 'details');
    expect(body.error.code).to.equal('RATE_LIMITED');
    expect(body.error.message).to.be.a('string').and.not.equal('');

    // Another address from the same client is still served, and still one mail per address.
    expect((await subscribe(app, { email: 'calm@example.org', talk: 'talk-one' })).status).to.equal(202);
    await app.services.deliverer.runOnce();
    expect(mailsTo(email)).to.have.length(1);
    expect(mailsTo('calm@example.org')).to.have.length(1);
  });

  it('confirm and unsubscribe links: an unknown token is a 404 HTML page, a missing token is 400', async () => {
    for (const pathname of ['/subscriptions/confirm', '/subscriptions/unsubscribe']) {
      for (const token of [
        'not-a-real-token-at-all-0123456789',
        'x'.repeat(43),
        '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      ]) {
        const res = await openLink(`${app.url}${pathname}?token=${token}`);
        expect(res.status, `${pathname} ${token}`).to.equal(404);
        expect(res.headers.get('content-type')).to.match(/^text\/html/);
        const html = await res.text();
        expect(html)
          .to.match(/^<!doctype html>/i)
          .and.include('This link is not valid');
        expect(html).to.not.include('<script>');
      }
      const missing = await openLink(`${app.url}${pathname}`);
      expect(missing.status, pathname).to.equal(400);
      // A browser gets the error as a page, with the same code.
      expect(missing.headers.get('content-type')).to.match(/^text\/html/);
      expect(await missing.text()).to.include('VALIDATION_FAILED');
      const api = await openLink(`${app.url}${pathname}`, { headers: { accept: 'application/json' } });
      expect(api.status, pathname).to.equal(400);
      const body = (await api.json()) as { error: { code: string } };
      expect(body.error.code).to.equal('VALIDATION_FAILED');
    }
    const oneClick = await fetch(`${app.url}/subscriptions/unsubscribe?token=${'y'.repeat(43)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).to.equal(404);
    await oneClick.body?.cancel();
  });

  it('escapes catalogue text: no raw <script> in the HTML parts, the title as is in the text parts', async () => {
    const title = '<script>alert(1)</script> & "Quotes"';
    await seed(app, { 'evil-talk': [title, 'Mallory <b>Bold</b>'] });
    const email = 'escape@example.org';
    expect((await subscribe(app, { email, talk: 'evil-talk' })).status).to.equal(202);
    await app.services.deliverer.runOnce();
    const confirmation = mailsTo(email)[0]!.mail;
    expect(textOf(confirmation)).to.include(title);
    expect(htmlOf(confirmation)).to.not.include('<script>');
    expect(htmlOf(confirmation)).to.include('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Quotes&quot;');
    expect(confirmation.subject).to.include(title);

    const page = await openLink(linkIn(app, textOf(confirmation), 'confirm'));
    expect(page.status).to.equal(200);
    expect(await page.text()).to.not.include('<script>');

    await publish(app, 'evil-talk');
    await app.services.deliverer.runOnce();
    const news = mailsTo(email)[1]!.mail;
    expect(news.subject).to.equal(`Recording out: ${title}`);
    expect(textOf(news)).to.include(title).and.include('Mallory <b>Bold</b>');
    expect(htmlOf(news)).to.not.include('<script>').and.not.include('<b>');
    expect(htmlOf(news)).to.include('&lt;script&gt;');
  });

  it('a speaker subscription matches whatever the casing and accents', async () => {
    await seed(app, {
      'havana-to-icehouse': ['Havana to Icehouse', 'Thierry Carrez'],
      'la-nube': ['La nube abierta', 'José Núñez'],
    });
    const cases = [
      ['carrez@example.org', 'thierry CARREZ', 'havana-to-icehouse', 'Havana to Icehouse'],
      ['nunez@example.org', 'jose nunez', 'la-nube', 'La nube abierta'],
    ] as const;
    for (const [email, speaker] of cases) {
      const res = await subscribe(app, { email, speaker });
      expect(res.status).to.equal(202);
      expect(((await res.json()) as { filter: { kind: string } }).filter.kind).to.equal('speaker');
    }
    await app.services.deliverer.runOnce();
    for (const [email] of cases) {
      expect(mailsTo(email)).to.have.length(1);
      expect((await openLink(linkIn(app, textOf(mailsTo(email)[0]!.mail), 'confirm'))).status).to.equal(200);
    }
    for (const [, , talkId] of cases) await publish(app, talkId);
    await app.services.deliverer.runOnce();
    for (const [email, , , title] of cases) {
      expect(mailsTo(email)).to.have.length(2, email);
      expect(mailsTo(email)[1]!.mail.subject).to.equal(`Recording out: ${title}`);
    }
  });

  for (const [refusal, expected] of [
    [{ stage: 'rcpt', code: 451 }, 'pending'],
    [{ stage: 'data', code: 451 }, 'pending'],
    [{ stage: 'rcpt', code: 550 }, 'failed'],
    [{ stage: 'data', code: 554 }, 'failed'],
  ] as const) {
    it(`an SMTP server answering ${refusal.code} at ${refusal.stage.toUpperCase()}: the delivery is ${expected} after one attempt`, async () => {
      await seed(app, { 'talk-one': ['Talk One', 'Alice Example'] });
      const email = 'refused@example.org';
      smtp.refuse = refusal;
      expect((await subscribe(app, { email, talk: 'talk-one' })).status).to.equal(202);
      const run = await app.services.deliverer.runOnce();
      // No background retry may run while we look (the retry timer would fire within seconds).
      await app.services.deliverer.stop();
      expect(run.attempted).to.equal(1);
      expect(run.delivered).to.equal(0);
      expect(smtp.received).to.have.length(0);

      const sub = await subscriptionOf(app, email);
      const [delivery, ...others] = await deliveriesOf(app, sub.id);
      expect(others).to.have.length(0);
      expect(delivery).to.include({ type: 'subscription.confirm', status: expected, attempts: 1 });
      const log = delivery!.log as { outcome: string; error?: string }[];
      expect(log).to.have.length(1);
      expect(log[0]!.outcome).to.equal(expected === 'pending' ? 'retry' : 'failed');
      expect(log[0]!.error).to.include(String(refusal.code));
      const inStore = await app.services.store.deliveriesWithStatus(expected);
      expect(inStore.map((d) => d.subscriptionId)).to.deep.equal([sub.id]);
    });
  }
});

describe('HTTP: email notifications without TALKREEL_SMTP_URL', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(async () => app.close());

  it('writes the confirmation as a readable .eml file under <dataDir>/mail/', async () => {
    await seed(app, { 'talk-one': ['Talk One', 'Alice Example'] });
    expect(app.services.mailer.describe).to.equal(`files:${path.join(app.dataDir, 'mail')}`);
    expect((await subscribe(app, { email: 'Files@Example.org', talk: 'talk-one' })).status).to.equal(202);
    const run = await app.services.deliverer.runOnce();
    expect(run).to.include({ attempted: 1, delivered: 1 });

    const dir = path.join(app.dataDir, 'mail');
    const files = fs.readdirSync(dir);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/\.eml$/);
    const mail = await simpleParser(fs.readFileSync(path.join(dir, files[0]!)));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).to.deep.equal([
      'files@example.org',
    ]);
    expect(mail.subject).to.equal('Confirm: news about the talk “Talk One”');
    expect(header(mail, 'List-Unsubscribe-Post')).to.equal('List-Unsubscribe=One-Click');
    const confirm = linkIn(app, textOf(mail), 'confirm');
    const page = await openLink(confirm);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('Subscription confirmed');
  });
});
