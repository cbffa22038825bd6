import { expect } from 'chai';

import {
  isPlayable,
  itemFrom,
  mediaContent,
  mediaDescription,
  pickEnclosure,
  type Draft,
} from '../../../src/recordings/feed-item.ts';
import { jsonFeedItems } from '../../../src/recordings/json-feed.ts';
import { SourceParseError } from '../../../src/recordings/source.ts';

const draft = (over: Partial<Draft>): Draft => ({
  picked: { url: 'https://talks.example/v/1', from: 'link' },
  title: 'A talk',
  description: { raw: undefined, mode: 'auto' },
  publishedAt: undefined,
  extraLinks: [],
  ...over,
});

describe('feed items (drafts → recording items, enclosures, Media RSS)', () => {
  describe('itemFrom', () => {
    it('is undefined without a picked URL', () => {
      expect(itemFrom(draft({ picked: undefined }), undefined)).to.equal(undefined);
    });

    it('keys by URL, normalises title and dates, and leaves links undefined when there are none', () => {
      const item = itemFrom(
        draft({ title: '  A   talk\n', publishedAt: 'Tue, 05 Nov 2013 10:00:00 +0100', updatedAt: 'not a date' }),
        undefined,
      );
      expect(item).to.deep.equal({
        key: 'url:https://talks.example/v/1',
        url: 'https://talks.example/v/1',
        provider: 'web',
        title: 'A talk',
        description: undefined,
        publishedAt: '2013-11-05T09:00:00.000Z',
        updatedAt: undefined,
        embedUrl: undefined,
        links: undefined,
      });
    });

    it('makes an enclosure of audio type a podcast, but not the same URL taken from a link', () => {
      const file = 'https://cdn.example/download?episode=1';
      const fromEnclosure = itemFrom(
        draft({ picked: { url: file, from: 'enclosure', type: 'audio/mpeg' } }),
        undefined,
      );
      const videoEnclosure = itemFrom(
        draft({ picked: { url: file, from: 'enclosure', type: 'video/mp4' } }),
        undefined,
      );
      const fromLink = itemFrom(draft({ picked: { url: file, from: 'link' } }), undefined);
      expect(fromEnclosure?.provider).to.equal('podcast');
      expect(videoEnclosure?.provider).to.equal('web');
      expect(fromLink?.provider).to.equal('web');
    });

    it('reads an HTML title as text, resolves extra links against the base and never lists the item URL', () => {
      const item = itemFrom(
        draft({
          title: '<b>Havana</b> &amp; Icehouse',
          titleIsHtml: true,
          description: { raw: '<p>Slides: <a href="https://slides.example/1">here</a></p>', mode: 'html' },
          extraLinks: ['/schedule/1', undefined, 'https://talks.example/v/1', 'mailto:x@example.org'],
        }),
        'https://conf.example/feed',
      );
      expect(item?.title).to.equal('Havana & Icehouse');
      expect(item?.description).to.equal('Slides: here');
      expect(item?.links).to.deep.equal(['https://conf.example/schedule/1', 'https://slides.example/1']);
    });
  });

  it('isPlayable refuses Flash players only', () => {
    expect(isPlayable('application/x-shockwave-flash')).to.equal(false);
    expect(isPlayable('video/x-flash')).to.equal(false);
    expect(isPlayable('video/mp4')).to.equal(true);
    expect(isPlayable(undefined)).to.equal(true);
  });

  describe('pickEnclosure', () => {
    it('prefers the first audio/video enclosure, resolving it against the base', () => {
      const picked = pickEnclosure(
        [
          { url: '/cover.jpg', type: 'image/jpeg' },
          { url: '/ep1.mp4', type: 'video/mp4' },
          { url: '/ep1.mp3', type: 'audio/mpeg' },
        ],
        'https://cdn.example/feed.xml',
      );
      expect(picked).to.deep.equal({ url: 'https://cdn.example/ep1.mp4', from: 'enclosure', type: 'video/mp4' });
    });

    it('falls back to the first usable enclosure, skipping Flash and non-http(s) URLs', () => {
      const picked = pickEnclosure(
        [
          { url: 'https://cdn.example/player.swf', type: 'application/x-shockwave-flash' },
          { url: 'ftp://cdn.example/ep1.bin' },
          { url: 'https://cdn.example/ep1.bin', type: 'application/octet-stream' },
        ],
        undefined,
      );
      expect(picked).to.deep.equal({
        url: 'https://cdn.example/ep1.bin',
        from: 'enclosure',
        type: 'application/octet-stream',
      });
      expect(pickEnclosure(undefined, undefined)).to.equal(undefined);
      expect(pickEnclosure([], undefined)).to.equal(undefined);
    });
  });

  describe('Media RSS', () => {
    it('mediaContent takes the first playable audio/video content, item-level before media:group', () => {
      const media = {
        contents: [
          { url: 'https://cdn.example/thumb.jpg', medium: 'image' },
          { url: 'https://cdn.example/player.swf', type: 'application/x-shockwave-flash', medium: 'video' },
        ],
        groups: [{ contents: [{ type: 'video/mp4' }, { url: 'https://cdn.example/talk.mp4', type: 'video/mp4' }] }],
      };
      expect(mediaContent(media)?.url).to.equal('https://cdn.example/talk.mp4');
      expect(mediaContent({ contents: [{ url: 'https://cdn.example/a.ogg', medium: 'AUDIO' }] })?.url).to.equal(
        'https://cdn.example/a.ogg',
      );
      expect(mediaContent(undefined)).to.equal(undefined);
    });

    it('mediaDescription reads the item-level description first, then the first group that has one', () => {
      expect(mediaDescription({ description: { value: 'item' }, groups: [{ description: { value: 'g' } }] })).to.equal(
        'item',
      );
      expect(mediaDescription({ groups: [{}, { description: { value: 'second group' } }] })).to.equal('second group');
      expect(mediaDescription(undefined)).to.equal(undefined);
    });
  });

  describe('jsonFeedItems', () => {
    const what = 'a JSON Feed';
    const feed = (items: unknown[], extra: object = {}): string =>
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items, ...extra });

    it('takes url, else external_url, else the attachment; relative URLs resolve against home_page_url', () => {
      const body = feed(
        [
          { id: '1', url: '/talks/1', title: 'One', content_text: 'see https://slides.example/1.' },
          { id: '2', external_url: 'https://video.example/2', title: 'Two' },
          { id: '3', title: 'Three', attachments: [{ url: 'https://cdn.example/3.mp3', mime_type: 'audio/mpeg' }] },
          { id: '4', title: 'No URL at all' },
        ],
        { home_page_url: 'https://conf.example/' },
      );
      const items = jsonFeedItems(body, body, what);
      expect(items.map((i) => [i.url, i.provider])).to.deep.equal([
        ['https://conf.example/talks/1', 'web'],
        ['https://video.example/2', 'web'],
        ['https://cdn.example/3.mp3', 'podcast'],
      ]);
      expect(items[0]?.links).to.deep.equal(['https://slides.example/1']);
    });

    it('rejects a body that is not JSON, naming what was expected', () => {
      expect(() => jsonFeedItems('{"items": [', '{"items": [', what))
        .to.throw(SourceParseError)
        .with.property('message')
        .that.matches(/^expected a JSON Feed, got JSON/);
    });
  });
});
