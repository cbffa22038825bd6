import { expect } from 'chai';
import { startFakeServer, type FakeHandler } from '../helpers/fake-server.ts';
import { createHttpClient, type HttpClient } from '../../src/platform/http-client.ts';
import { sendWebmention } from '../../src/notify/webmention-send.ts';

const SOURCE = 'https://talkreel.example/talks/havana-to-icehouse?ref=1';

const htmlPage = (head: string) =>
  `<!doctype html><html><head><title>recap</title>${head}</head><body>hi</body></html>`;

describe('sending a Webmention to real local servers', function () {
  this.timeout(10_000);
  let blog: Awaited<ReturnType<typeof startFakeServer>>;
  let endpointHandler: FakeHandler;
  let http: HttpClient;

  /** The blog serves `/post` with `page`, and the endpoint at `/wm…` with `endpointHandler`. */
  const serve = (page: FakeHandler) =>
    blog.setHandler((req, res) => (req.url.startsWith('/wm') ? endpointHandler(req, res) : page(req, res)));
  const target = () => `${blog.url}/post`;
  const posts = () => blog.requests.filter((r) => r.method === 'POST');
  const byLinkTag: FakeHandler = (_q, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(htmlPage('<link rel="webmention" href="/wm?token=abc">'));
  };

  beforeEach(async () => {
    http = createHttpClient({ timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 5, allowPrivateNetwork: true });
    endpointHandler = (_q, res) => {
      res.statusCode = 202;
      res.end('accepted');
    };
    blog = await startFakeServer((_q, res) => {
      res.statusCode = 404;
      res.end();
    });
  });
  afterEach(() => blog.close());

  it('endpoint in a <link>: POSTs source and target as a form to it, its query string kept; 202 = sent', async () => {
    serve(byLinkTag);
    const result = await sendWebmention(http, SOURCE, target());
    expect(result).to.deep.equal({ outcome: 'sent', endpoint: `${blog.url}/wm?token=abc`, httpStatus: 202 });
    expect(posts()).to.have.length(1);
    const post = posts()[0]!;
    expect(post.url).to.equal('/wm?token=abc');
    expect(post.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(post.body);
    expect([...form.keys()].sort()).to.deep.equal(['source', 'target']);
    expect(form.get('source')).to.equal(SOURCE);
    expect(form.get('target')).to.equal(target());
  });

  it('endpoint in the Link header (absolute URL on another server), preferred over the HTML; 200 and 201 are sent too', async () => {
    const receiver = await startFakeServer((_q, res) => {
      res.statusCode = 201;
      res.setHeader('location', '/status/1');
      res.end();
    });
    try {
      serve((_q, res) => {
        res.setHeader('link', `<${receiver.url}/endpoint>; rel="webmention"`);
        res.setHeader('content-type', 'text/html');
        res.end(htmlPage('<link rel="webmention" href="/wm-wrong">'));
      });
      expect(await sendWebmention(http, SOURCE, target())).to.deep.equal({
        outcome: 'sent',
        endpoint: `${receiver.url}/endpoint`,
        httpStatus: 201,
      });
      expect(receiver.requests.map((r) => [r.method, r.url])).to.deep.equal([['POST', '/endpoint']]);
      expect(new URLSearchParams(receiver.requests[0]!.body).get('target')).to.equal(target());
      expect(posts()).to.deep.equal([]);

      receiver.setHandler((_q, res) => {
        res.end('ok');
      });
      expect(await sendWebmention(http, SOURCE, target())).to.include({ outcome: 'sent', httpStatus: 200 });
    } finally {
      await receiver.close();
    }
  });

  it('target redirected: a relative endpoint resolves against the final page URL, and the original target is sent', async () => {
    blog.setHandler((req, res) => {
      if (req.url === '/old') {
        res.statusCode = 301;
        res.setHeader('location', '/posts/new/');
        res.end();
      } else if (req.url === '/posts/new/') {
        res.setHeader('link', '<wm-endpoint>; rel=webmention');
        res.end('moved here');
      } else endpointHandler(req, res);
    });
    const result = await sendWebmention(http, SOURCE, `${blog.url}/old`);
    expect(result).to.deep.equal({ outcome: 'sent', endpoint: `${blog.url}/posts/new/wm-endpoint`, httpStatus: 202 });
    expect(posts().map((r) => r.url)).to.deep.equal(['/posts/new/wm-endpoint']);
    expect(new URLSearchParams(posts()[0]!.body).get('target')).to.equal(`${blog.url}/old`);
  });

  it('a page without an endpoint: no-endpoint, and nothing is POSTed', async () => {
    serve((_q, res) => {
      res.setHeader('content-type', 'text/html');
      res.setHeader('link', '</feed.xml>; rel="alternate"');
      res.end(htmlPage('<link rel="pingback" href="/xmlrpc.php">'));
    });
    expect(await sendWebmention(http, SOURCE, target())).to.deep.equal({ outcome: 'no-endpoint' });
    expect(posts()).to.deep.equal([]);
  });

  describe('what the endpoint answers', () => {
    beforeEach(() => serve(byLinkTag));
    const answer = (status: number, headers: Record<string, string> = {}) => {
      endpointHandler = (_q, res) => {
        res.statusCode = status;
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        res.end('no');
      };
    };

    it('500 → retry', async () => {
      answer(500);
      const result = await sendWebmention(http, SOURCE, target());
      expect(result).to.include({ outcome: 'retry', httpStatus: 500 });
      expect(result).not.to.have.property('retryAfter');
    });

    it('429 with Retry-After → retry with retryAfter', async () => {
      answer(429, { 'retry-after': '120' });
      expect(await sendWebmention(http, SOURCE, target())).to.include({
        outcome: 'retry',
        httpStatus: 429,
        retryAfter: '120',
      });
    });

    it('400 → failed', async () => {
      answer(400);
      const result = await sendWebmention(http, SOURCE, target());
      expect(result).to.include({ outcome: 'failed', httpStatus: 400 });
      expect(result.outcome === 'failed' && result.error).to.include('/wm?token=abc');
    });

    it('302 → failed, and the redirect is not followed', async () => {
      answer(302, { location: '/elsewhere' });
      const result = await sendWebmention(http, SOURCE, target());
      expect(result).to.include({ outcome: 'failed', httpStatus: 302 });
      expect(blog.requests.filter((r) => r.url === '/elsewhere')).to.deep.equal([]);
    });

    it('an endpoint that never answers, with timeoutMs: 200 → retry', async () => {
      endpointHandler = () => {};
      const result = await sendWebmention(http, SOURCE, target(), { timeoutMs: 200 });
      expect(result.outcome).to.equal('retry');
      expect(result).not.to.have.property('httpStatus');
    });

    it('an aborted signal → retry', async () => {
      endpointHandler = () => {};
      const controller = new AbortController();
      const sending = sendWebmention(http, SOURCE, target(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect((await sending).outcome).to.equal('retry');
    });
  });

  describe('what the target page answers', () => {
    const pageAnswers = (status: number) =>
      serve((_q, res) => {
        res.statusCode = status;
        res.setHeader('retry-after', '30');
        res.end();
      });

    it('404 and 410 → failed', async () => {
      pageAnswers(404);
      expect(await sendWebmention(http, SOURCE, target())).to.include({ outcome: 'failed', httpStatus: 404 });
      pageAnswers(410);
      expect(await sendWebmention(http, SOURCE, target())).to.include({ outcome: 'failed', httpStatus: 410 });
      expect(posts()).to.deep.equal([]);
    });

    it('503 → retry, with its Retry-After', async () => {
      pageAnswers(503);
      expect(await sendWebmention(http, SOURCE, target())).to.include({
        outcome: 'retry',
        httpStatus: 503,
        retryAfter: '30',
      });
    });

    it('a connection refused → retry', async () => {
      const gone = await startFakeServer(() => {});
      const url = `${gone.url}/post`;
      await gone.close();
      expect((await sendWebmention(http, SOURCE, url)).outcome).to.equal('retry');
    });
  });

  it('a private target with a client that does not allow the private network → failed (blocked), nothing fetched', async () => {
    serve(byLinkTag);
    const publicOnly = createHttpClient({
      timeoutMs: 5000,
      maxBytes: 1 << 20,
      maxRedirects: 5,
      allowPrivateNetwork: false,
    });
    const result = await sendWebmention(publicOnly, SOURCE, target());
    expect(result.outcome).to.equal('failed');
    expect(result.outcome === 'failed' && result.error).to.match(/non-public address/);
    expect(blog.requests).to.deep.equal([]);
  });

  it('invalid source or target URLs → failed, nothing fetched', async () => {
    expect((await sendWebmention(http, 'not a url', target())).outcome).to.equal('failed');
    expect((await sendWebmention(http, SOURCE, 'ftp://example.org/x')).outcome).to.equal('failed');
    expect(blog.requests).to.deep.equal([]);
  });
});
