import { expect } from 'chai';
import type { Event, Talk } from '../../../src/catalogue/types.ts';
import { MentionIndex, nameForms } from '../../../src/mentions/mention-index.ts';
import { detectMentions } from '../../../src/mentions/detect.ts';
import { extractText } from '../../../src/text/extract.ts';

const EV = 'kiez-2031';
const event: Event = {
  id: EV,
  name: 'Kiezkonferenz 2031',
  aliases: [],
  acronym: 'KIEZ',
  city: 'Berlin',
  startDate: '2031-05-02',
  endDate: '2031-05-03',
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
};
const talk = (id: string, title: string, speaker: string, abstract?: string): Talk => ({
  id,
  eventId: EV,
  title,
  abstract,
  aliases: [],
  speakers: [{ name: speaker }],
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: '2031-01-01T00:00:00Z',
  updatedAt: '2031-01-01T00:00:00Z',
});

function index(): MentionIndex {
  const idx = new MentionIndex('https://talkreel.example');
  idx.upsertEvent(event);
  for (const t of [
    talk('bob', 'Zero-copy parsers in practice', 'Robert "Bob" Meyer'),
    talk('maria', 'Offline-first maps', 'María García López'),
    talk('jfk', 'Packet capture at line rate', 'John F. Hollis'),
    talk('koch', 'Reproducible firmware builds', 'Anna Koch', 'Der Koch kocht, wir bauen Firmware.'),
  ]) {
    idx.upsertTalk(t);
  }
  return idx;
}

const found = (idx: MentionIndex, text: string) => detectMentions(extractText(text), idx).map((m) => m.talkId);

describe('speaker names in the forms people write them', () => {
  it('derives nickname, initial-free and first+last forms', () => {
    expect(nameForms('Robert "Bob" Meyer')).to.have.members(['robert meyer', 'bob meyer', 'robert bob meyer']);
    expect(nameForms('John F. Hollis')).to.have.members(['john f hollis', 'john hollis']);
    expect(nameForms('María García López')).to.have.members(['maria garcia lopez', 'maria lopez']);
    expect(nameForms('Madonna')).to.deep.equal([]);
  });

  it('finds a speaker by nickname, without the middle initial, and with the nickname in the post', () => {
    const idx = index();
    expect(found(idx, 'At KIEZ, Bob Meyer showed how parsers avoid copies.')).to.include('bob');
    expect(found(idx, 'At KIEZ, John Hollis captured packets at line rate.')).to.include('jfk');
    expect(found(idx, 'At KIEZ, Robert "Bob" Meyer was great on zero-copy parsing.')).to.include('bob');
  });

  it('a name whose paragraph says nothing of the talk (a byline, a photo credit) is not a mention', () => {
    const idx = index();
    const post = 'KIEZ in Berlin: two days of talks, good coffee and a lot of rain.\n\nPhotos: Bob Meyer';
    expect(found(idx, post)).to.not.include('bob');
    expect(found(idx, `${post}. Bob also explained zero-copy parsers.`)).to.include('bob');
  });

  it('a bare surname that is also an ordinary word needs the talk itself nearby', () => {
    const idx = index();
    // "Koch" opens a sentence and is a word the catalogue uses: not a mention on its own.
    expect(found(idx, 'KIEZ in Berlin was fun. Koch und Kellner waren freundlich.')).to.not.include('koch');
    // With a word of her talk's title next to it, it is.
    expect(found(idx, 'KIEZ in Berlin was fun. Then Koch on reproducible firmware builds.')).to.include('koch');
  });

  it('a bare surname counts for an event the post surely is about, not for a city alone', () => {
    const idx = index();
    const ids = (text: string) => detectMentions(extractText(text), idx).map((m) => m.talkId);
    // Only the city: Hollis may be anybody, and two title words are not the talk.
    expect(ids('A week in Berlin. Dinner at Hollis, then packet capture stories at the bar.')).to.deep.equal([]);
    // The event named: Hollis is its speaker, and the title words pick the talk.
    expect(ids('Day one of KIEZ 2031. Hollis showed packet capture at line rate.')).to.deep.equal(['jfk']);
  });
});
