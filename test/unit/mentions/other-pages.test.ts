import { expect } from 'chai';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { detectMentions } from '../../../src/mentions/detect.ts';
import { extractHtml } from '../../../src/text/extract.ts';
import { eventRecord, talkRecord } from '../../helpers/catalogue-records.ts';

const event = eventRecord('wp31', 'Werkplaats 2031', { acronym: 'WP31' });
const talk = talkRecord('wp31-batteries', 'wp31', 'Open firmware for home batteries', 'Ana Example', {
  externalIds: { slug: 'wp31-707-open-firmware-for-home-batteries' },
});

function index(): MentionIndex {
  const idx = new MentionIndex('https://talkreel.example');
  idx.upsertEvent(event);
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
