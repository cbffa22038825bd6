import { expect } from 'chai';
import type { Event, Talk } from '../../../src/catalogue/types.ts';
import { TalkIndex } from '../../../src/search/talk-index.ts';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { detectMentions } from '../../../src/mentions/detect.ts';
import { extractHtml } from '../../../src/text/extract.ts';

const event: Event = {
  id: 'wp31',
  name: 'Werkplaats 2031',
  acronym: 'WP31',
  aliases: [],
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
};
const talk: Talk = {
  id: 'wp31-batteries',
  eventId: 'wp31',
  title: 'Open firmware for home batteries',
  aliases: [],
  speakers: [{ name: 'Ana Example' }],
  externalIds: { slug: 'wp31-707-open-firmware-for-home-batteries' },
  recording: { status: 'pending' },
  recordings: [],
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
};

function index(): MentionIndex {
  const vocabulary = new TalkIndex();
  const idx = new MentionIndex(vocabulary, 'https://talkreel.example');
  vocabulary.upsertEvent(event);
  idx.upsertEvent(event);
  vocabulary.upsertTalk(talk);
  idx.upsertTalk(talk);
  return idx;
}

const found = (html: string) => detectMentions(extractHtml(html), index()).map((m) => m.talkId);

describe('a title that is the text of a link to another talk page', () => {
  it('names that page (another edition), not the catalogue talk of the same title', () => {
    expect(
      found(
        '<article><p>From last year: <a href="https://media.ccc.de/v/wp30-512-open-firmware-for-home-batteries">Open firmware for home batteries</a>.</p></article>',
      ),
    ).to.deep.equal([]);
  });

  it('still counts the same title written in prose, or linking a page that is not a talk page', () => {
    expect(found('<article><p>I loved “Open firmware for home batteries” this year.</p></article>')).to.deep.equal([
      'wp31-batteries',
    ]);
    expect(
      found(
        '<article><p>My notes: <a href="https://blog.example/notes">Open firmware for home batteries</a>.</p></article>',
      ),
    ).to.deep.equal(['wp31-batteries']);
  });
});
