import { expect } from 'chai';

import { mediaCccSource, parseMediaCccConference } from '../../../src/recordings/media-ccc.ts';
import { SourceParseError } from '../../../src/recordings/source.ts';
import { fixture, parseError, byKey } from '../../helpers/source-fixtures.ts';
import type { RecordingItem } from '../../../src/recordings/source.ts';

const conference = (events: unknown[]): string =>
  JSON.stringify({ acronym: 'xyzcon23', title: 'XYZ Congress 2023', events });

describe('media.ccc.de source', () => {
  const items = parseMediaCccConference(fixture('mediaccc-conference.json'), 'application/json; charset=utf-8');

  it('yields one item per usable event, in API order', () => {
    expect(items.map((i) => i.key)).to.deep.equal([
      'mediaccc:xyzcon23-1234-reverse-engineering-toasters-for-fun-profit',
      'mediaccc:xyzcon23-1240-die-zukunft-der-mesh-netze',
      'mediaccc:xyzcon23-1001-opening-ceremony',
      'mediaccc:xyzcon23-1400-closing-infrastructure-review',
    ]);
  });

  it('drops events without a title, events without slug and frontend_link, and entries that are no event', () => {
    expect(items.map((i) => i.title)).to.not.include('A Talk Without Any Address');
    expect(items.some((i) => i.slug === 'xyzcon23-1301-untitled')).to.equal(false);
    expect(items).to.have.length(4);
  });

  it('maps a complete event', () => {
    const item = byKey(items, 'mediaccc:xyzcon23-1234-reverse-engineering-toasters-for-fun-profit');
    expect(item).to.deep.include({
      url: 'https://media.ccc.de/v/xyzcon23-1234-reverse-engineering-toasters-for-fun-profit',
      provider: 'mediaccc',
      title: 'Reverse Engineering Toasters for Fun & Profit',
      subtitle: 'What your kitchen appliances know about you',
      guid: '8d0a5c2e-4b1f-5e3a-9c7d-2f6e8a1b3c41',
      slug: 'xyzcon23-1234-reverse-engineering-toasters-for-fun-profit',
      language: 'eng',
      recordedAt: '2023-12-27T11:00:00.000+01:00',
      publishedAt: '2023-12-28T00:00:00.000Z',
      updatedAt: '2024-01-02T08:15:44.120Z',
      embedUrl: 'https://media.ccc.de/v/xyzcon23-1234-reverse-engineering-toasters-for-fun-profit/oembed',
    });
    expect(item.persons).to.deep.equal(['Ada Fernández', 'kitchensink']);
    expect(item.description).to.equal(
      'We opened up twelve connected toasters.\n\nFirmware dumps and tools: https://git.xyzcon.example/toaster-re/firmware.\nPrevious talk (see https://media.ccc.de/v/xyzcon22-987-fridges-are-people-too).',
    );
  });

  it('puts the schedule link first in links, then the description URLs', () => {
    expect(byKey(items, 'mediaccc:xyzcon23-1234-reverse-engineering-toasters-for-fun-profit').links).to.deep.equal([
      'https://pretalx.xyzcon.example/xyzcon23/talk/QX7RBD/',
      'https://git.xyzcon.example/toaster-re/firmware',
      'https://media.ccc.de/v/xyzcon22-987-fridges-are-people-too',
    ]);
  });

  it('reads null fields as absent', () => {
    const item = byKey(items, 'mediaccc:xyzcon23-1240-die-zukunft-der-mesh-netze');
    expect(item.title).to.equal('Die Zukunft der Mesh-Netze');
    expect(item.subtitle).to.equal(undefined);
    expect(item.description).to.equal(undefined);
    expect(item.links).to.equal(undefined);
    expect(item.persons).to.equal(undefined);
    expect(item.publishedAt).to.equal(undefined);
    expect(item.recordedAt).to.equal('2023-12-28T23:30:00.000+01:00');
    expect(item.language).to.equal('deu');
  });

  it('falls back to https://media.ccc.de/v/<slug> without frontend_link, and reads HTML descriptions as text', () => {
    const item = byKey(items, 'mediaccc:xyzcon23-1001-opening-ceremony');
    expect(item.url).to.equal('https://media.ccc.de/v/xyzcon23-1001-opening-ceremony');
    expect(item.embedUrl).to.equal('https://media.ccc.de/v/xyzcon23-1001-opening-ceremony/oembed');
    expect(item.subtitle).to.equal(undefined);
    expect(item.description).to.equal('Welcome to xyzcon23! Code of conduct: xyzcon.example/coc');
    expect(item.links).to.deep.equal([
      'https://pretalx.xyzcon.example/xyzcon23/talk/OPEN01/',
      'https://xyzcon.example/coc',
    ]);
    expect(item.persons).to.deep.equal(['Orga Team']);
    expect(item.language).to.equal('deu-eng');
    expect(item.publishedAt).to.equal('2023-12-27T17:40:12.000Z');
  });

  it('is lenient on wrongly typed fields: they count as absent, the event stays', () => {
    const item = byKey(items, 'mediaccc:xyzcon23-1400-closing-infrastructure-review');
    expect(item.slug).to.equal('xyzcon23-1400-closing-infrastructure-review');
    expect(item.url).to.equal('https://media.ccc.de/v/xyzcon23-1400-closing-infrastructure-review');
    expect(item.persons).to.equal(undefined);
    expect(item.recordedAt).to.equal(undefined);
    expect(item.publishedAt).to.equal(undefined);
    expect(item.language).to.equal(undefined);
    expect(item.links).to.deep.equal(['http://noc.xyzcon.example/graphs?year=2023&view=all']);
  });

  it('derives the slug from frontend_link when slug is missing', () => {
    const [item] = parseMediaCccConference(
      conference([
        { guid: 'g-1', title: 'Only a link', frontend_link: 'https://media.ccc.de/v/xyzcon23-77-only-a-link' },
      ]),
      undefined,
    );
    expect(item?.key).to.equal('mediaccc:xyzcon23-77-only-a-link');
    expect(item?.slug).to.equal('xyzcon23-77-only-a-link');
  });

  it('caps long descriptions at 5,000 characters', () => {
    const [item] = parseMediaCccConference(
      conference([{ title: 'Long', slug: 'xyzcon23-9-long', description: 'x'.repeat(9000) }]),
      undefined,
    );
    expect(item?.description?.length).to.equal(5000);
  });

  it('returns no items for a conference without released events', () => {
    expect(parseMediaCccConference(conference([]), undefined)).to.deep.equal([]);
  });

  describe('bodies that are not a media.ccc.de conference', () => {
    it('rejects an HTML error page', () => {
      expect(parseError(() => parseMediaCccConference(fixture('html-error.html'), 'text/html')).message).to.match(
        /^expected media\.ccc\.de conference JSON, got HTML \(<!DOCTYPE html>/,
      );
    });

    it('rejects an empty body', () => {
      expect(parseError(() => parseMediaCccConference('', undefined)).message).to.equal(
        'expected media.ccc.de conference JSON, got an empty body',
      );
    });

    it('rejects malformed JSON', () => {
      expect(
        parseError(() => parseMediaCccConference('{"acronym": "xyzcon23", "events": [', undefined)).message,
      ).to.match(/^expected media\.ccc\.de conference JSON, got malformed JSON \(/);
    });

    it('rejects JSON without an events array', () => {
      expect(parseError(() => parseMediaCccConference('{}', undefined)).message).to.equal(
        'expected media.ccc.de conference JSON (an object with an "events" array), got an object without "events" (keys: none)',
      );
      expect(parseError(() => parseMediaCccConference('{"conferences": []}', undefined)).message).to.match(
        /without "events" \(keys: conferences\)/,
      );
      expect(parseError(() => parseMediaCccConference('{"events": null}', undefined)).message).to.match(
        /got "events" of type null/,
      );
      expect(parseError(() => parseMediaCccConference('[]', undefined)).message).to.match(/got an array$/);
    });

    it('rejects XML', () => {
      expect(parseError(() => parseMediaCccConference(fixture('youtube-channel.xml'), undefined)).message).to.match(
        /^expected media\.ccc\.de conference JSON, got an Atom feed/,
      );
    });
  });

  it('is registered as the mediaccc kind', () => {
    expect(mediaCccSource.kind).to.equal('mediaccc');
    expect(mediaCccSource.accept).to.equal('application/json');
    expect(mediaCccSource.parse(fixture('mediaccc-conference.json'), undefined)).to.deep.equal(items);
  });
});
