import { expect } from 'chai';

import type { Event, Talk } from '../../../src/catalogue/types.ts';
import { findName, gatherCandidates } from '../../../src/recordings/match-candidates.ts';
import { buildEventContext } from '../../../src/recordings/match-context.ts';
import { matchExact } from '../../../src/recordings/match-exact.ts';
import { checkDate, scoreCandidate, titleNamesOnlySpeakers, type Scored } from '../../../src/recordings/match-score.ts';
import { ACCEPT_CONFIDENCE, decide } from '../../../src/recordings/match.ts';
import type { RecordingItem } from '../../../src/recordings/source.ts';
import { tokenize } from '../../../src/text/normalize.ts';
import { TalkIndex } from '../../../src/search/talk-index.ts';

const NOW = '2014-01-01T00:00:00.000Z';
const event: Event = {
  id: 'jdll',
  name: 'Journées du Logiciel Libre',
  acronym: 'jdll14',
  aliases: [],
  city: 'Lyon',
  startDate: '2014-04-05',
  endDate: '2014-04-06',
  createdAt: NOW,
  updatedAt: NOW,
};
const talk = (id: string, title: string, speakers: string[], extra: Partial<Talk> = {}): Talk => ({
  id,
  eventId: event.id,
  title,
  aliases: [],
  speakers: speakers.map((name) => ({ name })),
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: NOW,
  updatedAt: NOW,
  ...extra,
});
const talks: Talk[] = [
  talk('git', 'Git au quotidien', ['Camille Martin'], {
    start: '2014-04-05T14:00:00+02:00',
    externalIds: { guid: 'g-git', scheduleId: '41', scheduleUrl: 'https://jdll.example/schedule/41' },
  }),
  talk('nix', 'Nix pour les curieux', ['Camille Martin']),
  talk('old', 'Ancien créneau', ['Paul Durand'], { removedFromScheduleAt: NOW, aliases: ['jdll14-old-slot'] }),
];
const ctx = buildEventContext(event, talks, 'https://talkreel.example');
const item = (title: string, extra: Partial<RecordingItem> = {}): RecordingItem => ({
  key: `url:${title}`,
  url: 'https://video.example/watch/1',
  provider: 'web',
  title,
  ...extra,
});
const scored = (id: string, confidence: number): Scored => ({
  talk: talks.find((t) => t.id === id) ?? talk(id, id, []),
  confidence,
  titleSim: confidence,
  speaker: undefined,
  evidence: [`title similarity ${confidence.toFixed(2)}`],
});

describe('recording matching, step by step', () => {
  it('buildEventContext derives acronyms from the event name and strips them as event words', () => {
    expect([...ctx.eventWords]).to.include.members(['journees', 'logiciel', 'libre', 'lyon', 'jdll14', 'jll', '2014']);
    expect(ctx.talksBySpeaker.get('camille martin')).to.deep.equal(['git', 'nix']);
    expect(ctx.bySlug.get('jdll14-old-slot')?.id).to.equal('old');
  });

  describe('matchExact', () => {
    it('finds talks by guid (any case), schedule page, Talkreel link and provider slug', () => {
      expect(matchExact(item('x', { guid: 'G-GIT' }), ctx)?.match).to.deep.equal({
        method: 'guid',
        confidence: 1,
        evidence: ['schedule guid G-GIT'],
      });
      const byPage = matchExact(item('x', { links: ['https://jdll.example/schedule/41'] }), ctx);
      expect([byPage?.talk.id, byPage?.match.method]).to.deep.equal(['git', 'id-in-url']);
      expect(matchExact(item('x', { links: ['https://talkreel.example/t/nix?ref=feed'] }), ctx)?.talk.id).to.equal(
        'nix',
      );
      expect(matchExact(item('x', { slug: 'jdll14-41-git-au-quotidien' }), ctx)?.match.method).to.equal('slug');
    });

    it('says when the talk is no longer in the schedule, and finds nothing without an identifier', () => {
      expect(matchExact(item('x', { slug: 'JDLL14-old-slot' }), ctx)?.match.evidence).to.deep.equal([
        'slug JDLL14-old-slot',
        'talk no longer in the schedule',
      ]);
      expect(matchExact(item('Git au quotidien', { slug: 'other-41-git' }), ctx)).to.equal(undefined);
    });
  });

  it('findName wants the full name in sequence, tolerating one edit in long tokens', () => {
    const tokens = tokenize('Git au quotidien par Camile Martin');
    expect(findName('camille martin', tokens, [], tokens)).to.equal('in the title');
    expect(findName('camille martin', tokens, tokenize('Camille Martin, Paul Durand'), [])).to.equal(
      'among the persons',
    );
    expect(findName('camille martin', tokenize('Martin Camille'), [], [])).to.equal(undefined);
    expect(findName('camille', tokens, tokens, tokens)).to.equal(undefined);
  });

  it('gatherCandidates adds every talk of a speaker the item names', () => {
    const index = new TalkIndex();
    for (const t of talks) index.upsertTalk(t);
    const found = gatherCandidates(item('Camille Martin aux JDLL'), ctx, index);
    expect([...found.ids]).to.include.members(['git', 'nix']);
    expect(found.speakersFound.get('nix|camille martin')).to.equal('in the title');
  });

  it('titleNamesOnlySpeakers ignores speaker names, event words, decorations and numbers', () => {
    expect(titleNamesOnlySpeakers(['Camille Martin - JDLL 2014 keynote 2'], ['Camille Martin'], ctx)).to.equal(true);
    expect(titleNamesOnlySpeakers(['Camille Martin - Git'], ['Camille Martin'], ctx)).to.equal(false);
  });

  it('checkDate flags a recording published more than a day before the talk', () => {
    const git = talks[0]!;
    expect(checkDate(item('x', { publishedAt: '2014-04-03T00:00:00Z' }), git, event)).to.equal(
      'published 2014-04-03 before the talk (2014-04-05)',
    );
    expect(checkDate(item('x', { publishedAt: '2014-04-04T13:00:00Z' }), git, event)).to.equal(undefined);
    expect(checkDate(item('x', { publishedAt: '2014-04-01T00:00:00Z' }), talks[1]!, event)).to.equal(
      'published 2014-04-01 before the talk (2014-04-05)',
    );
    expect(checkDate(item('x'), git, event)).to.equal(undefined);
  });

  it('scoreCandidate halves the confidence for an early publication and drops weak titles without a speaker', () => {
    const found = {
      ids: new Set(['git']),
      speakersFound: new Map<string, string>(),
      descriptionTokens: new Set<string>(),
    };
    const onTime = scoreCandidate(
      item('Git au quotidien', { publishedAt: '2014-05-01T00:00:00Z' }),
      talks[0]!,
      ctx,
      found,
    );
    const early = scoreCandidate(
      item('Git au quotidien', { publishedAt: '2014-01-01T00:00:00Z' }),
      talks[0]!,
      ctx,
      found,
    );
    expect(onTime?.confidence).to.equal(1);
    expect(onTime?.dateFits).to.equal(true);
    // The date is noted, never held against the title: recordings appear long after talks.
    expect(early?.confidence).to.equal(1);
    expect(early?.dateFits).to.equal(false);
    expect(early?.evidence).to.deep.equal([
      'title similarity 1.00',
      'published 2014-01-01 before the talk (2014-04-05)',
    ]);
    expect(scoreCandidate(item('Quelque chose de différent'), talks[0]!, ctx, found)).to.equal(undefined);
  });

  describe('decide', () => {
    it('lets the publication date break a tie, and only a tie', () => {
      const fits = { ...scored('git', 0.9), dateFits: true };
      const early = { ...scored('nix', 0.92), dateFits: false };
      const decision = decide([early, fits]);
      expect(decision).to.deep.include({ kind: 'matched', talkId: 'git' });
      expect(decision.kind === 'matched' && decision.match.evidence).to.include(
        'the publication date fits this talk and not the other close candidates',
      );
      // No date to judge on one side: still too close to call.
      expect(decide([{ ...early, dateFits: undefined }, fits]).kind).to.equal('unmatched');
      // Both fit: the date says nothing.
      expect(decide([{ ...early, dateFits: true }, fits]).kind).to.equal('unmatched');
      // Clearly ahead despite an early date: the date never vetoes.
      expect(
        decide([
          { ...scored('nix', 0.95), dateFits: false },
          { ...scored('git', 0.5), dateFits: true },
        ]),
      ).to.deep.include({
        kind: 'matched',
        talkId: 'nix',
      });
    });

    it('accepts a confident best candidate that is clearly ahead, in any input order', () => {
      const decision = decide([scored('nix', 0.5), scored('git', 0.9)]);
      expect(decision).to.deep.include({ kind: 'matched', talkId: 'git' });
      expect(decision.candidates.map((c) => c.talkId)).to.deep.equal(['git', 'nix']);
    });

    it('refuses a best candidate below the threshold, and one too close to the runner-up', () => {
      expect(decide([scored('git', ACCEPT_CONFIDENCE - 0.01)])).to.deep.include({
        kind: 'unmatched',
        reason: "best candidate's confidence 0.74 is below 0.75",
      });
      expect(decide([scored('git', 0.9), scored('nix', 0.85)])).to.deep.include({
        kind: 'unmatched',
        reason: 'too close to call: git 0.90 vs nix 0.85',
      });
    });

    it('accepts near 1 when the runner-up has far more doubt, and reports at most five candidates', () => {
      expect(decide([scored('git', 0.98), scored('nix', 0.95)]).kind).to.equal('matched');
      const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => scored(id, 0.3 - i * 0.01));
      expect(decide(many).candidates).to.have.length(5);
      expect(decide([])).to.deep.equal({
        kind: 'unmatched',
        reason: 'no candidate has enough title or speaker evidence',
        candidates: [],
      });
    });
  });
});
