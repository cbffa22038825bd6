import { expect } from 'chai';
import type { Event, Talk } from '../../../src/catalogue/types.ts';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { detectMentions } from '../../../src/mentions/detect.ts';
import { extractHtml, extractText } from '../../../src/text/extract.ts';

const event = (id: string, name: string): Event => ({
  id,
  name,
  aliases: [],
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
});
const talk = (id: string, eventId: string, title: string, speaker: string): Talk => ({
  id,
  eventId,
  title,
  aliases: [],
  speakers: [{ name: speaker }],
  externalIds: {},
  track: 'Hardware',
  recording: { status: 'pending' },
  recordings: [],
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
});

function index(): MentionIndex {
  const idx = new MentionIndex('https://talkreel.example');
  for (const e of [event('hw', 'Werkplaats 2031'), event('other', 'Elsewhere Summit')]) {
    idx.upsertEvent(e);
  }
  for (const t of [
    talk('lights', 'hw', 'Reverse engineering bicycle lights: what the firmware hides', 'Ana Example'),
    talk('esp', 'hw', 'Rust on the ESP32 without the standard library', 'Bo Example'),
    talk('solder', 'hw', 'Soldering surface-mount parts at home', 'Cy Example'),
    talk('gardens', 'other', 'Sensor gardens with cheap microcontrollers', 'Di Example'),
  ]) {
    idx.upsertTalk(t);
  }
  return idx;
}

const found = (idx: MentionIndex, doc: ReturnType<typeof extractText>) =>
  detectMentions(doc, idx)
    .map((m) => m.talkId)
    .sort();

describe('a programme retold as a list', () => {
  it('lines that each read as a title (or its first part) name talks when two or more agree on the event', () => {
    const idx = index();
    const md =
      'The hardware room on Saturday:\n\n- Reverse engineering bicycle lights\n- Rust on the ESP32\n- Soldering surface-mount parts at home\n\nGreat day.';
    expect(found(idx, extractText(md))).to.deep.equal(['esp', 'lights', 'solder']);
    const html =
      '<article><p>Saturday in the hardware room:</p><ul><li>Reverse engineering bicycle lights</li><li>Rust on the ESP32</li></ul></article>';
    expect(found(idx, extractHtml(html))).to.deep.equal(['esp', 'lights']);
  });

  it('one such line alone, or lines naming talks of different events, are not a programme', () => {
    const idx = index();
    expect(found(idx, extractText('Notes:\n\n- Rust on the ESP32\n- lunch was good'))).to.deep.equal([]);
    expect(found(idx, extractText('Notes:\n\n- Rust on the ESP32\n- Sensor gardens'))).to.deep.equal([]);
  });
});
