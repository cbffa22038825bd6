import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer, type FakeRequest } from '../helpers/fake-server.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

type Blog = Awaited<ReturnType<typeof startFakeServer>>;

/** A blog whose recap mentions a talk and advertises a (relative) Webmention endpoint. */
async function startBlog(endpointStatus: () => number): Promise<Blog> {
  return startFakeServer((req, res) => {
    if (req.method === 'GET' && req.url === '/2031/recap') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>My recap</title><link rel="webmention" href="/webmention/endpoint?blog=1"></head>
<body><article><h1>My recap</h1><p>Mark McCLAIN walked us through "From segments to services" and it was great.</p></article></body></html>`);
      return;
    }
    if (req.method === 'POST' && req.url?.startsWith('/webmention/endpoint')) {
      res.writeHead(endpointStatus()).end();
      return;
    }
    res.writeHead(404).end();
  });
}

const mentionsSent = (blog: Blog): FakeRequest[] => blog.requests.filter((r) => r.method === 'POST');

describe('telling recap authors that the video is out (outgoing Webmention)', function () {
  let app: TestApp;
  let blog: Blog;
  let status = 202;

  async function setUp(env: Record<string, string> = {}) {
    status = 202;
    blog = await startBlog(() => status);
    app = await startApp({ env });
    await app.services.store.createEvent(eventRecord('oia-2031', 'OpenStack in Action 2031'));
    await app.services.store.createTalk(
      talkRecord('segments', 'oia-2031', 'From segments to services', 'Mark McClain'),
    );
    const res = await app.request('/api/posts', {
      method: 'POST',
      admin: true,
      json: { url: `${blog.url}/2031/recap` },
    });
    expect(res.status, await res.clone().text()).to.equal(201);
  }
  afterEach(async () => {
    await app.close();
    await blog.close();
  });

  it('sends one Webmention from the talk page to the post once the recording is out, after discovery', async () => {
    await setUp();
    await app.services.deliverer.runOnce();
    expect(mentionsSent(blog)).to.have.length(0); // nothing before the recording exists
    await app.services.sources.linkRecording('segments', { url: 'https://media.ccc.de/v/oia-segments' });
    await app.services.deliverer.runOnce();
    await app.services.sources.linkRecording('segments', { url: 'https://www.youtube.com/watch?v=abcdefghijk' });
    await app.services.deliverer.runOnce();
    const sent = mentionsSent(blog);
    expect(sent).to.have.length(1);
    expect(sent[0]!.url).to.equal('/webmention/endpoint?blog=1');
    const form = new URLSearchParams(sent[0]!.body);
    expect(form.get('source')).to.equal('http://talkreel.test/t/segments');
    expect(form.get('target')).to.equal(`${blog.url}/2031/recap`);
    // The source really links to the target, so the author's receiver can verify it.
    const page = await (await app.request('/t/segments', { headers: { accept: 'text/html' } })).text();
    expect(page).to.include(`href="${blog.url}/2031/recap"`);
    expect(page).to.include('Recap posts');
  });

  it('retries an endpoint that fails, then stops', async () => {
    await setUp();
    status = 503;
    await app.services.sources.linkRecording('segments', { url: 'https://media.ccc.de/v/oia-segments' });
    await app.services.deliverer.runOnce();
    const [pending] = (await app.services.store.deliveriesWithStatus('pending')).filter(
      (d) => d.channel === 'webmention',
    );
    expect(pending).to.deep.include({ attempts: 1 });
    expect(pending!.log[0]).to.deep.include({ outcome: 'retry', httpStatus: 503 });
    status = 201;
    await app.services.store.redeliver(pending!.id, new Date().toISOString());
    await app.services.deliverer.runOnce();
    expect((await app.services.store.getDelivery(pending!.id))?.status).to.equal('delivered');
    expect(mentionsSent(blog)).to.have.length(2);
  });

  it('sends nothing when TALKREEL_SEND_WEBMENTIONS is off', async () => {
    await setUp({ TALKREEL_SEND_WEBMENTIONS: 'off' });
    await app.services.sources.linkRecording('segments', { url: 'https://media.ccc.de/v/oia-segments' });
    await app.services.deliverer.runOnce();
    expect(mentionsSent(blog)).to.have.length(0);
    expect(await app.services.store.deliveriesWithStatus('pending')).to.deep.equal([]);
  });
});
