/**
 * Every route in the OpenAPI document, called with hostile and random input: odd bodies, wrong
 * content types, broken encodings, huge and strange parameters, with and without the admin token.
 * Nothing may answer 500; every error keeps the `{error:{code,message,details}}` envelope.
 * Deterministic (seeded), so a failure can be replayed.
 */
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRANGE = [
  '',
  ' ',
  'null',
  '0',
  '-1',
  '1e309',
  'constructor',
  '__proto__',
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'http://[::7f00:1]/',
  'ftp://example.org/x',
  '🎉'.repeat(50),
  'a'.repeat(5000),
  'Ω≈ç√∫˜µ≤≥÷',
  '\u0000\u0001',
  '"quoted"',
];

const BODIES: { type: string; body: string | Uint8Array }[] = [
  { type: 'application/json', body: '{' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"string"' },
  { type: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}' },
  {
    type: 'application/json',
    body: JSON.stringify({ url: 'http://[::1]/', title: 5, html: {}, event: [], talks: 'x' }),
  },
  { type: 'application/json', body: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}` },
  { type: 'application/xml', body: '<schedule><conference><title>x</title></conference><day/></schedule>' },
  { type: 'application/xml', body: '<<<>>>' },
  { type: 'application/x-www-form-urlencoded', body: 'source=%ZZ&target=' },
  { type: 'text/plain', body: '\u0000'.repeat(100) },
  { type: 'multipart/form-data; boundary=x', body: '--x\r\nbroken' },
  { type: 'application/octet-stream', body: new Uint8Array([0xff, 0xfe, 0x00, 0x01]) },
];

describe('fuzz: every route, hostile input, never a 500 (issue 12)', function () {
  this.timeout(120_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ env: { LOG_LEVEL: process.env.FUZZ_LOG ?? 'silent' } });
    await app.services.store.createEvent(eventRecord('fz', 'Fuzz Conf 2031'));
    await app.services.store.createTalk(talkRecord('fz-talk', 'fz', 'Fuzzing in practice', 'Ana Example'));
  });
  after(() => app.close());

  it('answers every route with a non-5xx status and the error envelope', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const random = rng(Number(process.env.FUZZ_SEED ?? 20311206));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const failures: string[] = [];
    let calls = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        for (let i = 0; i < 8; i += 1) {
          const path = template.replace(/\{(\w+)\}/g, () => encodeURIComponent(pick(['fz', 'fz-talk', ...STRANGE])));
          const query = new URLSearchParams();
          for (let q = 0; q < 3; q += 1)
            query.set(pick(['q', 'url', 'event', 'limit', 'format', 'token', 'talks', 'x']), pick(STRANGE));
          const body = method === 'get' || method === 'delete' ? undefined : pick(BODIES);
          const headers: Record<string, string> = { accept: pick(['application/json', 'text/html', '*/*']) };
          if (body) headers['content-type'] = body.type;
          if (random() < 0.2) headers['content-encoding'] = pick(['gzip', 'deflate', 'br', 'identity', 'bogus']);
          if (random() < 0.1) headers['if-none-match'] = pick(STRANGE.slice(0, 10));
          const url = `${path}?${query.toString()}`;
          const res = await app.request(url, {
            method: method.toUpperCase(),
            admin: random() < 0.5,
            headers,
            body: body?.body as string | undefined,
          });
          calls += 1;
          const text = await res.text();
          const what = `${method.toUpperCase()} ${url.slice(0, 120)} [${JSON.stringify(headers)} ${JSON.stringify(body?.body ?? null).slice(0, 80)}]`;
          // 501 is oEmbed's required answer to an unsupported format (spec §2.3.4), not a failure.
          const expected501 = res.status === 501 && template === '/oembed';
          if (res.status >= 500 && !expected501) failures.push(`${what} → ${res.status} ${text.slice(0, 200)}`);
          else if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string')
              failures.push(
                `${method.toUpperCase()} ${url} → ${res.status} without the envelope: ${text.slice(0, 200)}`,
              );
          }
        }
      }
    }
    expect(calls).to.be.greaterThan(200);
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });
});
