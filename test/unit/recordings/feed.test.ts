import { expect } from 'chai';

import { feedSource, parseRecordingFeed } from '../../../src/recordings/feed.ts';
import { extractUrls, htmlToText, toIsoDate } from '../../../src/recordings/item-text.ts';
import { sources } from '../../../src/recordings/registry.ts';
import { SourceParseError } from '../../../src/recordings/source.ts';
import { fixture, parseError } from '../../helpers/source-fixtures.ts';
import type { RecordingItem } from '../../../src/recordings/source.ts';
import { parseYoutubeFeed } from '../../../src/recordings/youtube.ts';

function at(items: readonly RecordingItem[], index: number): RecordingItem {
  const item = items[index];
  if (item === undefined) return expect.fail(`no item #${index}`);
  return item;
}

/** An RSS 2.0 document around raw `<item>` XML. */
function rss(items: string, channel = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test</title><link>https://talks.example/</link><description>d</description>${channel}${items}</channel></rss>`;
}

describe('feed source', () => {
  describe('podcast (RSS 2.0 with audio enclosures)', () => {
    const items = parseRecordingFeed(fixture('podcast.xml'), 'application/rss+xml');

    it('keeps feed order and drops the item without any URL', () => {
      expect(items.map((i) => i.url)).to.deep.equal([
        'https://hallway.podcast.example/episodes/havana-to-icehouse',
        'https://media.hallway.podcast.example/audio/oia4-bonus-hallway.m4a',
        'https://cdn.hallway.podcast.example/stream/44?token=abc&fmt=1',
        'https://hallway.podcast.example/episodes/open-cloud-rerun',
      ]);
      expect(items.map((i) => i.title)).to.not.include('An episode that lost its files');
    });

    it('uses the item link as URL, keeps the enclosure in links, and strips HTML from the description', () => {
      const item = at(items, 0);
      expect(item).to.deep.include({
        key: 'url:https://hallway.podcast.example/episodes/havana-to-icehouse',
        provider: 'web',
        title: 'Havana to Icehouse \u2013 Thierry Carrez at OpenStack in Action 4',
        publishedAt: '2013-12-13T06:00:00.000Z',
        embedUrl: undefined,
      });
      expect(item.description).to.equal(
        'Audio of the talk given in Paris on 5 December 2013.\n\nTalk page: schedule \u00b7 slides at https://slides.oia-paris.example/2013/carrez.pdf.',
      );
      expect(item.links).to.deep.equal([
        'https://media.hallway.podcast.example/audio/oia4-havana-to-icehouse.mp3',
        'https://schedule.oia-paris.example/2013/talk/5103/',
        'https://slides.oia-paris.example/2013/carrez.pdf',
      ]);
    });

    it('never takes the RSS <guid> as a schedule guid', () => {
      expect(items.every((i) => i.guid === undefined)).to.equal(true);
      expect(items.flatMap((i) => i.links ?? [])).to.not.include('hallway-2013-0042');
    });

    it('lets an untitled item through with an empty title when it has a URL; its audio enclosure makes it a podcast', () => {
      const item = at(items, 1);
      expect(item).to.deep.include({
        key: 'url:https://media.hallway.podcast.example/audio/oia4-bonus-hallway.m4a',
        provider: 'podcast',
        title: '',
        description: 'Bonus: the hallway conversation after the keynote, recorded on a phone.',
        publishedAt: '2013-12-14T09:30:00.000Z',
      });
    });

    it('marks an audio enclosure without file extension as podcast, decodes &amp; in it, and keeps a URL guid in links', () => {
      const item = at(items, 2);
      expect(item.provider).to.equal('podcast');
      expect(item.title).to.equal('From Segments to Services & beyond: OpenStack Networking');
      expect(item.publishedAt).to.equal(undefined);
      expect(item.guid).to.equal(undefined);
      expect(item.links).to.deep.equal([
        'https://hallway.podcast.example/episodes/44',
        'https://hallway.podcast.example/transcripts/44.txt',
      ]);
    });

    it('reads an unparseable pubDate as absent instead of failing', () => {
      const item = at(items, 3);
      expect(item.title).to.equal('Open Cloud keynote (re-run)');
      expect(item.publishedAt).to.equal(undefined);
      expect(item.description).to.equal(undefined);
    });
  });

  describe('Vimeo channel feed', () => {
    const items = parseRecordingFeed(fixture('vimeo.xml'), 'application/rss+xml; charset=utf-8');

    it('keys by URL, with the vimeo provider and player embed', () => {
      expect(items.map((i) => [i.key, i.provider, i.embedUrl])).to.deep.equal([
        ['vimeo:81234567', 'vimeo', 'https://player.vimeo.com/video/81234567'],
        ['vimeo:81200001', 'vimeo', 'https://player.vimeo.com/video/81200001'],
      ]);
      expect(at(items, 0).publishedAt).to.equal('2013-12-12T19:05:31.000Z');
    });

    it('turns the HTML description into text (entities decoded) and collects its links, not the item URL or the Flash player', () => {
      const item = at(items, 0);
      expect(item.title).to.equal('Keynote \u2013 The Open Cloud: Why Openness Wins (Paul Cormier)');
      expect(item.description).to.equal(
        'Opening keynote of OpenStack in Action 4 \u2013 Paris.\nSlides: cormier-keynote.pdf\n\nCast: OIA Paris\n\nTags: openstack',
      );
      expect(item.links).to.deep.equal([
        'https://slides.oia-paris.example/2013/cormier-keynote.pdf',
        'https://vimeo.com/oiaparis',
        'https://vimeo.com/tag:openstack',
      ]);
    });

    it('finds bare URLs written in the HTML text', () => {
      expect(at(items, 1).description).to.equal(
        'Sofia Lindqvist shows Heat Orchestration Templates in practice.\n\nRepo: https://git.oia-paris.example/heat-demo (MIT).',
      );
      expect(at(items, 1).links).to.deep.equal(['https://git.oia-paris.example/heat-demo']);
    });
  });

  describe('generic Atom feed', () => {
    const items = parseRecordingFeed(fixture('atom-generic.xml'), 'application/atom+xml');

    it('drops the entry without any link and keeps feed order', () => {
      expect(items.map((i) => i.key)).to.deep.equal([
        'url:https://videos.oia-paris.example/2013/running-swift-at-petabyte-scale',
        'youtube:HavIce2013x',
        'mediaccc:oia4-5107-heat-orchestration-templates-in-practice',
        'url:https://videos.oia-paris.example/files/2013/lightning-talks.webm',
      ]);
    });

    it('resolves relative links against the feed, and reads HTML titles and summaries as text', () => {
      const item = at(items, 0);
      expect(item.url).to.equal('https://videos.oia-paris.example/2013/running-swift-at-petabyte-scale');
      expect(item.title).to.equal('Running Swift at Petabyte Scale');
      expect(item.description).to.equal('Hugo Martin & Amélie Fournier on object storage at scale. Talk page');
      expect(item.publishedAt).to.equal('2013-12-12T08:00:00.000Z');
      expect(item.updatedAt).to.equal('2013-12-13T10:20:00.000Z');
      expect(item.links).to.deep.equal([
        'https://videos.oia-paris.example/files/2013/swift-petabyte.mp4',
        'https://videos.oia-paris.example/2013/talks/5105',
      ]);
    });

    it('keys a YouTube link like the youtube source, and a media.ccc.de link like the mediaccc source', () => {
      const youtube = at(items, 1);
      expect(youtube.provider).to.equal('youtube');
      expect(youtube.embedUrl).to.equal('https://www.youtube-nocookie.com/embed/HavIce2013x');
      expect(youtube.description).to.equal('Also on media.ccc.de.');
      expect(youtube.links).to.deep.equal([
        'https://videos.oia-paris.example/2013/havana-to-icehouse',
        'https://media.ccc.de/v/oia4-5103-havana-to-icehouse',
      ]);
      const ccc = at(items, 2);
      expect(ccc.provider).to.equal('mediaccc');
      expect(ccc.publishedAt).to.equal('2013-12-11T00:00:00.000Z');
      expect(ccc.links).to.deep.equal(['https://docs.openstack.example/heat/templates']);
    });

    it('falls back to the enclosure link, with an empty title and no date when published is invalid', () => {
      const item = at(items, 3);
      expect(item).to.deep.include({
        provider: 'web',
        title: '',
        publishedAt: undefined,
        updatedAt: '2013-12-14T08:00:00.000Z',
      });
    });
  });

  it('keys the videos of a YouTube channel feed exactly as the youtube source does', () => {
    const viaFeed = parseRecordingFeed(fixture('youtube-channel.xml'), undefined);
    const viaYoutube = parseYoutubeFeed(fixture('youtube-channel.xml'), undefined);
    expect(viaFeed.slice(0, viaYoutube.length).map((i) => i.key)).to.deep.equal(viaYoutube.map((i) => i.key));
    expect(viaFeed.slice(0, viaYoutube.length).map((i) => i.title)).to.deep.equal(viaYoutube.map((i) => i.title));
  });

  it('reads RDF (RSS 1.0) feeds with dc:date', () => {
    const body = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://talks.example/"><title>Talks</title><link>https://talks.example/</link><description>d</description></channel>
  <item rdf:about="https://talks.example/v/1"><title>First &amp; only</title><link>https://talks.example/v/1</link><dc:date>2013-12-05T10:15:00+01:00</dc:date>
  <description>Slides at https://talks.example/s/1.pdf</description></item>
</rdf:RDF>`;
    expect(parseRecordingFeed(body, undefined)).to.deep.equal([
      {
        key: 'url:https://talks.example/v/1',
        url: 'https://talks.example/v/1',
        provider: 'web',
        title: 'First & only',
        description: 'Slides at https://talks.example/s/1.pdf',
        publishedAt: '2013-12-05T09:15:00.000Z',
        updatedAt: undefined,
        embedUrl: undefined,
        links: ['https://talks.example/s/1.pdf'],
      },
    ]);
  });

  it('reads JSON Feed', () => {
    const body = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Talks',
      items: [
        {
          id: '1',
          url: 'https://vimeo.com/81299999',
          title: 'JSON talk',
          content_text: 'See https://talks.example/1',
          date_published: '2013-12-06T10:00:00Z',
        },
        { id: '2', title: 'Nothing to watch' },
      ],
    });
    const items = parseRecordingFeed(body, 'application/feed+json');
    expect(items.map((i) => [i.key, i.provider, i.title, i.publishedAt, i.links])).to.deep.equal([
      ['vimeo:81299999', 'vimeo', 'JSON talk', '2013-12-06T10:00:00.000Z', ['https://talks.example/1']],
    ]);
  });

  it('resolves relative item links against the channel link, and drops items whose only link is not http(s)', () => {
    const items = parseRecordingFeed(
      rss(`<item><title>Relative</title><link>/v/relative</link></item>
           <item><title>Script</title><link>javascript:alert(1)</link></item>`),
      undefined,
    );
    expect(items.map((i) => i.url)).to.deep.equal(['https://talks.example/v/relative']);
  });

  it('tolerates a bare & the way feed readers do', () => {
    const items = parseRecordingFeed(
      rss('<item><title>Q & A</title><link>https://talks.example/v/qa?x=1&y=2</link></item>'),
      undefined,
    );
    expect(items.map((i) => [i.title, i.url])).to.deep.equal([['Q & A', 'https://talks.example/v/qa?x=1&y=2']]);
  });

  it('caps descriptions at 5,000 characters', () => {
    const [item] = parseRecordingFeed(
      rss(
        `<item><title>Long</title><link>https://talks.example/v/long</link><description>${'&lt;p&gt;blah blah&lt;/p&gt;'.repeat(1000)}</description></item>`,
      ),
      undefined,
    );
    expect(item?.description?.length).to.be.at.most(5000);
    expect(item?.description?.startsWith('blah blah\n\nblah blah')).to.equal(true);
  });

  it('returns no items for an empty channel', () => {
    expect(parseRecordingFeed(rss(''), undefined)).to.deep.equal([]);
  });

  describe('bodies that are not a feed', () => {
    it('rejects an HTML error page, saying what it got', () => {
      expect(parseError(() => parseRecordingFeed(fixture('html-error.html'), 'text/html')).message).to.match(
        /^expected an RSS, Atom or RDF feed, got HTML \(<!DOCTYPE html> <html lang="en">/,
      );
    });

    it('rejects malformed XML', () => {
      expect(parseError(() => parseRecordingFeed(fixture('malformed.xml'), undefined)).message).to.match(
        /^expected an RSS, Atom or RDF feed, got malformed XML \(.*line \d+\): <rss version="2\.0">/,
      );
    });

    it('rejects an empty body', () => {
      expect(parseError(() => parseRecordingFeed('', undefined)).message).to.equal(
        'expected an RSS, Atom or RDF feed, got an empty body',
      );
      expect(parseError(() => parseRecordingFeed('\uFEFF  \n', undefined)).message).to.equal(
        'expected an RSS, Atom or RDF feed, got an empty body',
      );
    });

    it('rejects other XML, non-feed JSON and text', () => {
      expect(
        parseError(() =>
          parseRecordingFeed('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>', undefined),
        ).message,
      ).to.equal(
        'expected an RSS, Atom or RDF feed, got XML with root <opml> (<opml version="2.0"><head/><body/></opml>)',
      );
      expect(parseError(() => parseRecordingFeed(fixture('mediaccc-conference.json'), undefined)).message).to.match(
        /got JSON \(\{ "acronym": "xyzcon23"/,
      );
      expect(parseError(() => parseRecordingFeed('{"broken": ', undefined)).message).to.match(/got JSON/);
      expect(parseError(() => parseRecordingFeed('Bad Gateway', undefined)).message).to.equal(
        'expected an RSS, Atom or RDF feed, got text (Bad Gateway)',
      );
    });
  });

  describe('helpers', () => {
    it('toIsoDate normalises feed dates to UTC and never throws', () => {
      expect(toIsoDate('Tue, 05 Nov 2013 16:00:00 +0100')).to.equal('2013-11-05T15:00:00.000Z');
      expect(toIsoDate('Tue, 05 Nov 2013 16:00:00')).to.equal('2013-11-05T16:00:00.000Z');
      expect(toIsoDate('2013-12-28')).to.equal('2013-12-28T00:00:00.000Z');
      expect(toIsoDate('2013-12-28 10:00:00')).to.equal('2013-12-28T10:00:00.000Z');
      expect(toIsoDate('2015-03-09T19:05:24.552394234+00:00')).to.equal('2015-03-09T19:05:24.552Z');
      for (const bad of ['', 'garbage', '12', '2013-02-30', '2013-13-45T99:00:00Z', undefined, 42, null])
        expect(toIsoDate(bad)).to.equal(undefined);
    });

    it('extractUrls trims punctuation but keeps balanced brackets', () => {
      expect(
        extractUrls(
          'see (https://en.wikipedia.org/wiki/Foo_(bar)), https://a.example/x?b=1&c=2. and [https://b.example/] or mailto:x@y.z',
        ),
      ).to.deep.equal(['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://a.example/x?b=1&c=2', 'https://b.example/']);
    });

    it('htmlToText drops scripts and styles and resolves relative hrefs', () => {
      expect(
        htmlToText(
          '<style>p{}</style><p>A&amp;B <a href="/x">x</a></p><script>alert(1)</script><p>C&nbsp;D</p>',
          'https://h.example/a/',
        ),
      ).to.deep.equal({
        text: 'A&B x\n\nC D',
        links: ['https://h.example/x'],
      });
    });
  });

  it('is registered as the feed kind, next to youtube and mediaccc', () => {
    expect(feedSource.kind).to.equal('feed');
    expect(Object.keys(sources).sort()).to.deep.equal(['feed', 'mediaccc', 'youtube']);
    for (const [kind, source] of Object.entries(sources)) expect(source.kind).to.equal(kind);
    expect(sources.feed.parse(fixture('vimeo.xml'), undefined)).to.deep.equal(parseRecordingFeed(fixture('vimeo.xml')));
  });
});
