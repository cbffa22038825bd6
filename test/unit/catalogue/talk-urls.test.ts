import { expect } from 'chai';
import { openMemoryStore } from '../../../src/store/open.ts';
import { CatalogueIndex } from '../../../src/search/catalogue-index.ts';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { linkShape, talkShapeKeys } from '../../../src/catalogue/talk-urls.ts';
import { eventRecord as event, talkRecord as talk } from '../../helpers/catalogue-records.ts';

describe('talk URL shapes', () => {
  it('derives shape keys from the schedule slug, id, guid and pretalx URL', () => {
    const t = talk('x', 'ev', 'Title', 'A B', {
      externalIds: {
        guid: 'F4A1B2C3-0000-4000-8000-00000000ABCD',
        scheduleId: '10496',
        slug: '36c3-10496-the-great-title',
        scheduleUrl: 'https://pretalx.example.org/conf-2031/talk/QXYZ7P/',
      },
    });
    expect(talkShapeKeys(t)).to.have.members([
      'slug:36c3-10496-the-great-title',
      'slug:the-great-title',
      'sid:10496',
      'guid:f4a1b2c3-0000-4000-8000-00000000abcd',
      'code:QXYZ7P',
    ]);
  });

  it('reads the shapes of schedule pages, media.ccc.de and video files', () => {
    const keys = (u: string) => linkShape(u)?.keys ?? [];
    expect(keys('https://fosdem.org/2031/schedule/event/rust_async/')).to.include('slug:rust_async');
    expect(keys('http://fosdem.org/2031/schedule/event/rust_async')).to.include('slug:rust_async');
    expect(keys('https://pretalx.example.org/conf-2031/talk/qxyz7p')).to.include('code:QXYZ7P');
    expect(keys('https://frab.example.org/en/conf2031/public/events/812.html')).to.include('sid:812');
    expect(keys('https://media.ccc.de/v/36c3-10496-the-great-title')).to.include.members([
      'sid:10496',
      'slug:the-great-title',
    ]);
    expect(keys('https://video.fosdem.org/2031/ua2220/rust_async.webm')).to.include('slug:rust_async');
    expect(linkShape('mailto:someone@example.org')).to.equal(undefined);
  });
});

describe('MentionIndex.talkOfLink: URL shapes guarded by the event', () => {
  it('resolves schedule pages, media.ccc.de pages and files of the right event only', async () => {
    const store = openMemoryStore();
    const catalogue = await CatalogueIndex.attach(store);
    const index = await MentionIndex.attach(store, 'http://talkreel.test');
    await store.load({
      events: [
        event('fosdem-2031', 'FOSDEM 2031', {
          acronym: 'FOSDEM',
          startDate: '2031-02-01',
          url: 'https://fosdem.org/2031/',
        }),
        event('devconf-2031', 'DevConf 2031', { acronym: 'devconf', startDate: '2031-06-01' }),
        event('c3-2031', 'Chaos Congress 2031', { acronym: '48c3', startDate: '2031-12-27' }),
      ],
      talks: [
        talk('fosdem-async', 'fosdem-2031', 'Async Rust', 'Ana Example', {
          externalIds: { slug: 'rust_async', scheduleId: '42' },
        }),
        // The same slug and schedule id at another event: must never be confused.
        talk('devconf-async', 'devconf-2031', 'Async Rust too', 'Bo Example', {
          externalIds: {
            slug: 'rust_async',
            scheduleId: '42',
            scheduleUrl: 'https://pretalx.devconf.example/devconf-2031/talk/QXYZ7P/',
          },
        }),
        talk('c3-title', 'c3-2031', 'The Great Title', 'Cy Example', {
          externalIds: { slug: '48c3-10496-the-great-title', scheduleId: '10496' },
        }),
      ],
    });
    const of = (u: string) => index.talkOfLink(u);
    expect(of('https://fosdem.org/2031/schedule/event/rust_async/')).to.equal('fosdem-async');
    expect(of('http://www.fosdem.org/2031/schedule/event/rust_async')).to.equal('fosdem-async');
    expect(of('https://video.fosdem.org/2031/ua2220/rust_async.webm')).to.equal('fosdem-async');
    expect(of('https://pretalx.devconf.example/devconf-2031/talk/qxyz7p/')).to.equal('devconf-async');
    expect(of('https://pretalx.devconf.example/devconf-2031/talk/rust_async/')).to.equal(undefined);
    expect(of('https://media.ccc.de/v/48c3-10496-the-great-title')).to.equal('c3-title');
    expect(of('https://media.ccc.de/v/48c3-10496-the-great-title#t=60')).to.equal('c3-title');
    // No marker of any event: a bare slug shared by two events resolves to nothing.
    expect(of('https://blog.example.org/event/rust_async')).to.equal(undefined);
    expect(of('https://blog.example.org/2031/events/42.html')).to.equal(undefined);
    index.detach();
    catalogue.detach();
    await store.close();
  });
});
