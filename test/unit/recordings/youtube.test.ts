import { expect } from 'chai';

import { SourceParseError } from '../../../src/recordings/source.ts';
import { fixture, parseError, byKey } from '../../helpers/source-fixtures.ts';
import type { RecordingItem } from '../../../src/recordings/source.ts';
import { parseYoutubeFeed, youtubeSource } from '../../../src/recordings/youtube.ts';

const NS =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/"';

/** A YouTube-shaped feed around raw `<entry>` XML. */
function feedWith(entries: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed ${NS}>
  <id>yt:channel:test</id>
  <title>Test channel</title>
  ${entries}
</feed>`;
}

describe('youtube source', () => {
  describe('channel feed', () => {
    const items = parseYoutubeFeed(fixture('youtube-channel.xml'), 'application/atom+xml; charset=UTF-8');

    it('yields one item per video entry, in feed order, dropping the entry that names no video', () => {
      expect(items.map((i) => i.key)).to.deep.equal([
        'youtube:Mc7segSvc01',
        'youtube:OffTour2013',
        'youtube:HavIce2013x',
        'youtube:CephWebin4r',
        'youtube:OpnCloudKey',
        'youtube:MeetupHl07a',
      ]);
    });

    it('maps a full entry: canonical watch URL, provider, embed, media:title, media:description, dates', () => {
      const item = byKey(items, 'youtube:Mc7segSvc01');
      expect(item.url).to.equal('https://www.youtube.com/watch?v=Mc7segSvc01');
      expect(item.provider).to.equal('youtube');
      expect(item.embedUrl).to.equal('https://www.youtube-nocookie.com/embed/Mc7segSvc01');
      expect(item.title).to.equal(
        'Mark McClain - From Segments to Services, a Dive into OpenStack Networking | OpenStack in Action 4',
      );
      expect(item.description).to.match(
        /^Recorded at OpenStack in Action 4, Paris, 5 December 2013\.\n\nMark McClain walks/,
      );
      expect(item.description).to.include('the ML2 plugin & what "services" means');
      expect(item.publishedAt).to.equal('2013-12-11T17:30:05.000Z');
      expect(item.updatedAt).to.equal('2014-01-02T08:01:44.000Z');
      expect(item.guid).to.equal(undefined);
      expect(item.slug).to.equal(undefined);
    });

    it('extracts description URLs, trimming trailing punctuation and unbalanced brackets', () => {
      expect(byKey(items, 'youtube:Mc7segSvc01').links).to.deep.equal([
        'https://schedule.oia-paris.example/2013/talk/5106/',
        'https://slides.oia-paris.example/2013/mcclain-neutron.pdf',
        'https://wiki.openstack.org/wiki/Neutron',
      ]);
    });

    it('decodes entities in descriptions before looking for URLs (&lt;url&gt;, &amp; in query strings)', () => {
      const item = byKey(items, 'youtube:HavIce2013x');
      expect(item.title).to.equal('Havana to Icehouse (OpenStack in Action Paris 2013)');
      expect(item.description).to.include(
        'Release schedule: <https://wiki.openstack.org/wiki/Icehouse_Release_Schedule>',
      );
      expect(item.links).to.deep.equal([
        'https://wiki.openstack.org/wiki/Icehouse_Release_Schedule',
        'https://etherpad.openstack.org/p/icehouse-summit?view=all&lang=en',
      ]);
    });

    it('falls back to <title> (entities decoded) when there is no media:group', () => {
      const item = byKey(items, 'youtube:OpnCloudKey');
      expect(item.title).to.equal('Keynote: The Open Cloud: Why Openness Wins \u2013 Paul Cormier');
      expect(item.description).to.equal(undefined);
      expect(item.links).to.equal(undefined);
    });

    it('treats an empty media:description as no description and an unparseable date as absent', () => {
      expect(byKey(items, 'youtube:CephWebin4r').description).to.equal(undefined);
      const meetup = byKey(items, 'youtube:MeetupHl07a');
      expect(meetup.title).to.equal('Paris OpenStack meetup #7 \u2014 highlights');
      expect(meetup.publishedAt).to.equal('2013-10-02T19:30:00.000Z');
      expect(meetup.updatedAt).to.equal(undefined);
      expect(meetup.links).to.deep.equal(['http://meetup.example/openstack-paris/']);
    });

    it('is deterministic', () => {
      expect(parseYoutubeFeed(fixture('youtube-channel.xml'), undefined)).to.deep.equal(items);
    });
  });

  it('prefers media:title over the entry <title>', () => {
    const [item] = parseYoutubeFeed(
      feedWith(`<entry><id>yt:video:abcDEF12345</id><yt:videoId>abcDEF12345</yt:videoId><title>Old title</title>
        <link rel="alternate" href="https://www.youtube.com/watch?v=abcDEF12345"/><published>2013-12-09T10:00:00+00:00</published>
        <media:group><media:title>Renamed: Havana to Icehouse</media:title><media:description>x</media:description></media:group></entry>`),
      undefined,
    );
    expect(item?.title).to.equal('Renamed: Havana to Icehouse');
  });

  it('finds the video id from the entry id or the watch link when yt:videoId is missing', () => {
    const items = parseYoutubeFeed(
      feedWith(`<entry><id>yt:video:fromId00001</id><title>A</title></entry>
        <entry><id>tag:example,2013:1</id><title>B</title><link rel="alternate" href="https://www.youtube.com/watch?v=fromLink001&amp;t=10s"/></entry>`),
      undefined,
    );
    expect(items.map((i) => [i.key, i.url])).to.deep.equal([
      ['youtube:fromId00001', 'https://www.youtube.com/watch?v=fromId00001'],
      ['youtube:fromLink001', 'https://www.youtube.com/watch?v=fromLink001'],
    ]);
  });

  it('caps descriptions at 5,000 characters but still finds links past the cap', () => {
    const long = `${'word '.repeat(1200)}slides: https://slides.example/late.pdf`;
    const [item] = parseYoutubeFeed(
      feedWith(`<entry><id>yt:video:longDesc001</id><yt:videoId>longDesc001</yt:videoId><title>Long</title>
        <media:group><media:title>Long</media:title><media:description>${long}</media:description></media:group></entry>`),
      undefined,
    );
    expect(item?.description?.length).to.be.at.most(5000);
    expect(item?.description?.endsWith('…')).to.equal(true);
    expect(item?.links).to.deep.equal(['https://slides.example/late.pdf']);
  });

  describe('WebSub push bodies', () => {
    it('parses a single-entry push (no media:group, nanosecond timestamps)', () => {
      const items = parseYoutubeFeed(fixture('youtube-websub.xml'), 'application/atom+xml');
      expect(items).to.have.length(1);
      const [item] = items;
      expect(item?.key).to.equal('youtube:Mc7segSvc01');
      expect(item?.url).to.equal('https://www.youtube.com/watch?v=Mc7segSvc01');
      expect(item?.title).to.equal(
        'Mark McClain - From Segments to Services, a Dive into OpenStack Networking | OpenStack in Action 4',
      );
      expect(item?.description).to.equal(undefined);
      expect(item?.publishedAt).to.equal('2013-12-11T17:30:05.000Z');
      expect(item?.updatedAt).to.equal('2013-12-11T17:31:02.104Z');
    });

    it('keys a pushed entry like the same video in the channel feed', () => {
      const pushed = parseYoutubeFeed(fixture('youtube-websub.xml'), undefined)[0];
      const polled = byKey(parseYoutubeFeed(fixture('youtube-channel.xml'), undefined), 'youtube:Mc7segSvc01');
      expect(pushed?.key).to.equal(polled.key);
      expect(pushed?.url).to.equal(polled.url);
    });

    it('ignores <at:deleted-entry> tombstones: a tombstone-only push yields no items', () => {
      const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom">
  <at:deleted-entry ref="yt:video:Mc7segSvc01" when="2014-02-01T10:00:00.123456789+00:00">
    <link href="https://www.youtube.com/watch?v=Mc7segSvc01"/>
    <at:by>
      <name>OpenStack Paris Community</name>
      <uri>https://www.youtube.com/channel/UCx0AiaParisConfVideo01</uri>
    </at:by>
  </at:deleted-entry>
</feed>`;
      expect(parseYoutubeFeed(body, undefined)).to.deep.equal([]);
    });

    it('ignores tombstones next to entries', () => {
      const body = `<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" ${NS}>
  <at:deleted-entry ref="yt:video:gone0000001" when="2014-02-01T10:00:00+00:00"><link href="https://www.youtube.com/watch?v=gone0000001"/></at:deleted-entry>
  <entry><id>yt:video:kept0000001</id><yt:videoId>kept0000001</yt:videoId><title>Kept</title><updated>2014-02-01T10:00:00+00:00</updated></entry>
</feed>`;
      expect(parseYoutubeFeed(body, undefined).map((i) => i.key)).to.deep.equal(['youtube:kept0000001']);
    });

    it('accepts a bare <entry> document', () => {
      const body = `<?xml version="1.0" encoding="UTF-8"?>
<entry ${NS}><id>yt:video:bareEntry01</id><yt:videoId>bareEntry01</yt:videoId><title>Bare &amp; pushed</title>
<published>2013-12-11T17:30:05+00:00</published><updated>2013-12-11T17:30:05+00:00</updated></entry>`;
      const items = parseYoutubeFeed(body, undefined);
      expect(items.map((i) => [i.key, i.title])).to.deep.equal([['youtube:bareEntry01', 'Bare & pushed']]);
    });
  });

  it('returns no items for a channel without videos', () => {
    expect(parseYoutubeFeed(feedWith(''), undefined)).to.deep.equal([]);
  });

  describe('bodies that are not a YouTube feed', () => {
    it('rejects an HTML error page, saying what it got', () => {
      const error = parseError(() => parseYoutubeFeed(fixture('html-error.html'), 'text/html'));
      expect(error.message).to.match(/^expected an Atom feed, got HTML \(<!DOCTYPE html> <html lang="en">/);
    });

    it('rejects an empty body', () => {
      expect(parseError(() => parseYoutubeFeed('', undefined)).message).to.equal(
        'expected an Atom feed, got an empty body',
      );
      expect(parseError(() => parseYoutubeFeed(' \n\t', undefined)).message).to.equal(
        'expected an Atom feed, got an empty body',
      );
    });

    it('rejects malformed and truncated XML', () => {
      expect(parseError(() => parseYoutubeFeed(fixture('malformed.xml'), undefined)).message).to.match(
        /^expected an Atom feed, got malformed XML \(.*line \d+\)/,
      );
      const channel = fixture('youtube-channel.xml');
      const truncated = channel.slice(0, Math.floor(channel.length / 2));
      expect(parseError(() => parseYoutubeFeed(truncated, undefined)).message).to.match(/malformed XML/);
    });

    it('rejects RSS, JSON and plain text', () => {
      expect(parseError(() => parseYoutubeFeed(fixture('podcast.xml'), undefined)).message).to.match(
        /^expected an Atom feed, got an RSS feed \(<rss version="2\.0"/,
      );
      expect(parseError(() => parseYoutubeFeed(fixture('mediaccc-conference.json'), undefined)).message).to.match(
        /^expected an Atom feed, got JSON \(\{/,
      );
      expect(parseError(() => parseYoutubeFeed('Service Unavailable', undefined)).message).to.equal(
        'expected an Atom feed, got text (Service Unavailable)',
      );
    });

    it('rejects an Atom feed whose entries name no YouTube video', () => {
      const blog = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A blog</title><id>urn:x</id>
        <entry><title>Post</title><id>urn:x:1</id><link href="https://blog.example/post"/><updated>2013-12-01T00:00:00Z</updated></entry></feed>`;
      expect(parseError(() => parseYoutubeFeed(blog, undefined)).message).to.equal(
        'expected a YouTube Atom feed, got an Atom feed whose 1 entries name no YouTube video (no yt:videoId)',
      );
    });

    it('still takes the YouTube entries of a mixed Atom feed', () => {
      expect(parseYoutubeFeed(fixture('atom-generic.xml'), undefined).map((i) => i.key)).to.deep.equal([
        'youtube:HavIce2013x',
      ]);
    });
  });

  it('is registered as the youtube kind', () => {
    expect(youtubeSource.kind).to.equal('youtube');
    expect(youtubeSource.accept).to.include('application/atom+xml');
    expect(youtubeSource.parse(fixture('youtube-websub.xml'), undefined)).to.deep.equal(
      parseYoutubeFeed(fixture('youtube-websub.xml')),
    );
  });
});
