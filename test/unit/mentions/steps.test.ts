import { expect } from 'chai';
import type { Event, Talk } from '../../../src/catalogue/types.ts';
import { eventsAbout } from '../../../src/mentions/event-context.ts';
import { evidenceFor, WEIGHTS, type Evidence, type TalkEvidence } from '../../../src/mentions/evidence.ts';
import { addLinkEvidence } from '../../../src/mentions/links.ts';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { combineEvidence, pickSpan, REPORT_CONFIDENCE } from '../../../src/mentions/select.ts';
import { findSpeakerNames, namedTalkIds } from '../../../src/mentions/speakers.ts';
import { rareTitleWordNear } from '../../../src/mentions/titles.ts';
import { termPositions, titleWindow } from '../../../src/mentions/title-window.ts';
import { tokenizeWithOffsets } from '../../../src/mentions/tokens.ts';
import { STOPWORDS } from '../../../src/text/normalize.ts';

const OIA = 'oia-paris-2013';
const event: Event = {
  id: OIA,
  name: 'OpenStack in Action 4',
  aliases: ['OIA Paris'],
  acronym: 'OIA',
  city: 'Paris',
  startDate: '2013-12-05',
  endDate: '2013-12-05',
  createdAt: '2013-01-01T00:00:00Z',
  updatedAt: '2013-01-01T00:00:00Z',
};
const talk = (id: string, title: string, speaker: string): Talk => ({
  id,
  eventId: OIA,
  title,
  aliases: [],
  speakers: [{ name: speaker }],
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: '2013-01-01T00:00:00Z',
  updatedAt: '2013-01-01T00:00:00Z',
});

function buildIndex(): MentionIndex {
  const index = new MentionIndex('https://talkreel.example');
  index.upsertEvent(event);
  for (const t of [
    talk('neutron', 'Neutron in Havana and Icehouse', 'Mark McClain'),
    talk('segments', 'Segments to Services', 'Carl Baldwin'),
    talk('ceph', 'Ceph Storage at Scale', 'Mark Shuttleworth'),
  ]) {
    index.upsertTalk(t);
  }
  return index;
}

describe('mentions/ detection steps', () => {
  const index = buildIndex();

  describe('eventsAbout', () => {
    it('marks an acronym-like token or a city with a date strong, a city alone weak', () => {
      const strong = 'We were at OIA last week.';
      expect([
        ...eventsAbout(strong, tokenizeWithOffsets(strong), { text: strong, links: [] }, index, undefined),
      ]).to.deep.equal([[OIA, 'strong']]);
      const dated = 'Paris, 5 Dec 2013: a good day.';
      expect(
        eventsAbout(dated, tokenizeWithOffsets(dated), { text: dated, links: [] }, index, undefined).get(OIA),
      ).to.equal('strong');
      const city = 'Paris was cold.';
      expect(
        eventsAbout(city, tokenizeWithOffsets(city), { text: city, links: [] }, index, undefined).get(OIA),
      ).to.equal('weak');
      const none = 'openstack was cold.';
      expect(eventsAbout(none, tokenizeWithOffsets(none), { text: none, links: [] }, index, undefined).size).to.equal(
        0,
      );
      expect(eventsAbout(none, tokenizeWithOffsets(none), { text: none, links: [] }, index, OIA).get(OIA)).to.equal(
        'strong',
      );
    });
  });

  describe('speaker names', () => {
    it('finds full names (one typo allowed), surnames in context, and first-name references', () => {
      const text = 'Mark McClian spoke first. Later Baldwin, then Mark again.';
      const tokens = tokenizeWithOffsets(text);
      const names = findSpeakerNames(tokens, index, new Map([[OIA, 'strong']]));
      expect(names.full.map((h) => [h.name, [...h.talkIds]])).to.deep.equal([['mark mcclain', ['neutron']]]);
      expect(text.slice(names.full[0]!.span.start, names.full[0]!.span.end)).to.equal('Mark McClian');
      expect(names.surnames.map((h) => h.talkIds)).to.deep.equal([['segments']]);
      expect(names.corefs.map((h) => h.talkIds)).to.deep.equal([['neutron']]);
      expect(namedTalkIds(names)).to.deep.equal(['neutron', 'segments']);
    });

    it('ignores a bare surname when the post is about no event of the speaker', () => {
      const tokens = tokenizeWithOffsets('Baldwin said so.');
      expect(findSpeakerNames(tokens, index, new Map()).surnames).to.deep.equal([]);
    });
  });

  describe('titles', () => {
    it('termPositions records where each form stands, a joined form ending one token later', () => {
      const positions = termPositions([
        [
          { form: 'ice', joined: false },
          { form: 'icehouse', joined: true },
        ],
        [],
        [],
      ]);
      expect(positions.get('icehouse')).to.deep.equal([{ k: 0, end: 1 }]);
      expect(positions.get('ice')).to.deep.equal([{ k: 0, end: 0 }]);
    });

    it('titleWindow scores the densest window holding the title terms, counting phrases in order', () => {
      const text = 'A talk: segments to services, by Carl.';
      const content = tokenizeWithOffsets(text).filter((tok) => !STOPWORDS.has(tok.t));
      const forms = content.map((tok) => (index.titleTerms.has(tok.t) ? [{ form: tok.t, joined: false }] : []));
      const best = titleWindow(index.talks.get('segments')!, content, termPositions(forms), index);
      expect(best?.score).to.equal(1);
      expect(best?.phrases).to.equal(1);
      expect(text.slice(best!.span.start, best!.span.end)).to.equal('segments to services');
    });

    it('rareTitleWordNear looks for a rare title word within a few words of a span', () => {
      const text = 'Mark Shuttleworth on Ceph.';
      const content = tokenizeWithOffsets(text);
      const span = { start: 0, end: 17 };
      expect(rareTitleWordNear(index.talks.get('ceph'), span, content, index)).to.equal(true);
      expect(rareTitleWordNear(index.talks.get('neutron'), span, content, index)).to.equal(false);
      expect(rareTitleWordNear(undefined, span, content, index)).to.equal(false);
    });
  });

  describe('links and evidence', () => {
    it('credits a linked talk once, with the link span shifted into the detection text', () => {
      const evidence: Evidence = new Map();
      const links = [
        { href: 'https://talkreel.example/t/segments', start: 4, end: 8 },
        { href: 'https://talkreel.example/t/segments', start: 20, end: 24 },
      ];
      addLinkEvidence({ text: 'see this and also this', links }, 3, index, evidence);
      expect(evidence.get('segments')?.link).to.deep.equal({ start: 7, end: 11 });
      expect(evidenceFor(evidence, 'segments')).to.equal(evidence.get('segments'));
      expect(evidenceFor(evidence, 'other')).to.deep.equal({ corefSpans: [] });
    });

    it('combineEvidence treats items as independent and needs more than the event', () => {
      expect(combineEvidence({ corefSpans: [] }, 'strong')).to.equal(undefined);
      expect(combineEvidence({ link: { start: 0, end: 1 }, corefSpans: [] }, undefined)).to.deep.equal({
        confidence: 1,
        kinds: ['link'],
      });
      const e: TalkEvidence = {
        title: { score: 1, span: { start: 0, end: 5 }, phrase: true, quoted: false, terms: 3 },
        speaker: { weight: WEIGHTS.fullName, span: { start: 10, end: 20 }, kind: 'full' },
        corefSpans: [],
      };
      const c = combineEvidence(e, 'strong');
      expect(c?.kinds).to.deep.equal(['title', 'speaker']);
      expect(c?.confidence).to.be.closeTo(1 - 0.1 * 0.3 * 0.7, 1e-12);
      expect(combineEvidence({ ...e, title: undefined }, undefined)?.confidence).to.be.greaterThan(REPORT_CONFIDENCE);
    });

    it('pickSpan joins close title and speaker spans, else keeps the title, else speaker, link, none', () => {
      const title = { score: 1, span: { start: 0, end: 5 }, phrase: true, quoted: false, terms: 3 };
      const speaker = { weight: 0.7, span: { start: 10, end: 20 }, kind: 'full' as const };
      expect(pickSpan({ title, speaker, corefSpans: [] })).to.deep.equal({ start: 0, end: 20 });
      const far = { ...speaker, span: { start: 1000, end: 1010 } };
      expect(pickSpan({ title, speaker: far, corefSpans: [] })).to.deep.equal(title.span);
      expect(pickSpan({ speaker, link: { start: 50, end: 60 }, corefSpans: [] })).to.deep.equal(speaker.span);
      expect(pickSpan({ link: { start: 50, end: 60 }, corefSpans: [] })).to.deep.equal({ start: 50, end: 60 });
      expect(pickSpan({ corefSpans: [] })).to.deep.equal({ start: -1, end: -1 });
    });
  });
});
