import { expect } from 'chai';
import { TalkIndex } from '../../../src/search/talk-index.ts';
import { buildEventContext, matchRecording } from '../../../src/recordings/match.ts';
import { titleVariants } from '../../../src/recordings/title-variants.ts';
import type { Event, Talk } from '../../../src/catalogue/types.ts';
import type { RecordingItem } from '../../../src/recordings/source.ts';

const NOW = '2014-01-01T00:00:00.000Z';
const event: Event = {
  id: 'rbc23',
  name: 'RustyBelt Conf 2023',
  acronym: 'rbc23',
  aliases: ['RustyBelt'],
  city: 'Ghent',
  startDate: '2023-05-04',
  endDate: '2023-05-05',
  createdAt: NOW,
  updatedAt: NOW,
};
const talk = (id: string, title: string, speakers: string[], extra: Partial<Talk> = {}): Talk => ({
  id,
  eventId: 'rbc23',
  title,
  aliases: [],
  speakers: speakers.map((name) => ({ name })),
  start: '2023-05-04T10:00:00+02:00',
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: NOW,
  updatedAt: NOW,
  ...extra,
});
const talks: Talk[] = [
  talk('intro-embedded', 'Intro to Embedded Rust', ['Yuki Tanabe']),
  talk('advanced-embedded', 'Advanced Embedded Rust', ['Yuki Tanabe']),
  talk('macros-example', 'Macros by Example', ['Lena Vogt']),
  talk('proc-macros', 'Procedural Macros', ['Omar Haddad']),
  talk('kernel', 'Rust in the Linux Kernel', ['Greg Holloway'], {
    externalIds: { guid: 'aaaa-1111', scheduleId: '312', slug: 'rbc23-312-rust-in-the-linux-kernel' },
  }),
  talk('cli', 'Building CLI Tools', ['Ola Adeyemi']),
  talk('welcome', 'Welcome to RustyBelt Conf 2023', ['The Orga Team']),
  talk('async-2023', 'Async Rust in 2023', ['Mia Lund']),
  talk('translating', 'Translating Rust Compiler Errors: community first', ['Ana Ruiz']),
];
const index = new TalkIndex();
index.upsertEvent({ id: event.id, name: event.name, aliases: event.aliases, city: event.city, acronym: event.acronym });
for (const t of talks) index.upsertTalk(t);
const ctx = buildEventContext(event, talks, 'https://talkreel.example');
const item = (title: string, extra: Partial<RecordingItem> = {}): RecordingItem => ({
  key: `youtube:${title.length}`,
  url: 'https://www.youtube.com/watch?v=x',
  provider: 'youtube',
  title,
  publishedAt: '2023-06-01T00:00:00Z',
  ...extra,
});

describe('matcher/recordings', () => {
  const cases: [string, RecordingItem, string | null][] = [
    ['decorated "Speaker - Title | Event"', item('Ola Adeyemi - Building CLI Tools | RustyBelt Conf 2023'), 'cli'],
    ['"Title (Event City Year)"', item('Rust in the Linux kernel (RustyBelt Ghent 2023)'), 'kernel'],
    ['a one-letter typo', item('Bulding CLI Tools'), 'cli'],
    ['guid first', item('Completely different words', { guid: 'AAAA-1111' }), 'kernel'],
    ['schedule id inside a media.ccc.de slug', item('Opaque', { slug: 'rbc23-312-something' }), 'kernel'],
    [
      "the same speaker's two talks told apart by title",
      item('Intro to Embedded Rust by Yuki Tanabe'),
      'intro-embedded',
    ],
    ['speaker-only title of a speaker with two talks', item('Yuki Tanabe at RustyBelt Conf 2023'), null],
    [
      '…unless the description names one',
      item('Yuki Tanabe at RustyBelt Conf 2023', {
        description: 'Advanced embedded Rust: interrupts, DMA and async on microcontrollers.',
      }),
      'advanced-embedded',
    ],
    ['speaker-only title of a speaker with one talk', item('Greg Holloway at RustyBelt Conf 2023'), 'kernel'],
    ['another edition of the event', item('Building CLI Tools - RustyBelt Conf 2021'), null],
    ['another conference', item('Macros by Example | RustConf 2023'), null],
    ['too short to call between two talks', item('Macros | RustyBelt Conf 2023'), null],
    ['a highlights reel', item('RustyBelt Conf 2023 Highlights'), null],
    ['a reel titled after the event is not the welcome slot', item('RustyBelt Conf 2023 – Aftermovie'), null],
    ["the same talk at last year's edition (year inside the title)", item('Async Rust in 2022'), null],
    ["last year's welcome", item('Welcome to RustyBelt Conf 2022'), null],
    ['the main title without its subtitle', item('Translating Rust Compiler Errors'), 'translating'],
    [
      "a media.ccc.de slug naming last year's edition",
      item('Building CLI Tools', {
        slug: 'rbc22-101-building-cli-tools',
        url: 'https://media.ccc.de/v/rbc22-101-building-cli-tools',
      }),
      null,
    ],
    [
      "this year's slug",
      item('Building CLI Tools', {
        slug: 'rbc23-101-building-cli-tools',
        url: 'https://media.ccc.de/v/rbc23-101-building-cli-tools',
      }),
      'cli',
    ],
    [
      'published long before its slot: the date alone never vetoes a strong title',
      item('Building CLI Tools', { publishedAt: '2022-01-01T00:00:00Z' }),
      'cli',
    ],
  ];
  for (const [name, rec, expected] of cases) {
    it(`${name} → ${expected ?? 'unmatched'}`, () => {
      const decision = matchRecording(rec, ctx, index);
      if (expected === null) {
        expect(decision.kind, JSON.stringify(decision)).to.equal('unmatched');
      } else {
        expect(decision.kind === 'matched' && decision.talkId, JSON.stringify(decision)).to.equal(expected);
      }
    });
  }

  it('strips decorations that only name the event, speaker or year', () => {
    const { variants, foreign } = titleVariants('[RBC23] Building CLI Tools - Ola Adeyemi', ctx, ['Ola Adeyemi']);
    expect(variants).to.include('Building CLI Tools');
    expect(foreign).to.equal(undefined);
  });

  it('compares without a trailing bracketed note about the upload, in any language', () => {
    const title = 'Building CLI Tools';
    for (const note of ['(re-upload, fixed audio)', '[nueva subida, audio corregido]', '(neu hochgeladen)'])
      expect(titleVariants(`${title} ${note}`, ctx, [], title).variants, note).to.include(title);
    // A bracket that shares words with the talk's title is part of it.
    expect(
      titleVariants('Building CLI Tools (in Rust)', ctx, [], 'Building CLI Tools in Rust').variants,
    ).to.not.include('Building CLI Tools');
  });
});
