import { expect } from 'chai';
import { syntheticCatalogue } from '../../../bench/synthetic.ts';
import { tokenize } from '../../../src/text/normalize.ts';
import { TalkIndex } from '../../../src/search/talk-index.ts';
import type { IndexedEvent, IndexedTalk, SearchHit } from '../../../src/search/talk-index.ts';
import type { Event, Talk } from '../../../src/catalogue/types.ts';

// compile-time check: domain objects can be indexed as they are
const indexableTalk = (t: Talk): IndexedTalk => t;
const indexableEvent = (e: Event): IndexedEvent => e;
void indexableTalk;
void indexableEvent;

const OIA = 'oia-paris-2013';
const CNS = 'cns-boston-2014';
const FOSDEM = 'fosdem-2014';

const EVENTS: IndexedEvent[] = [
  {
    id: OIA,
    name: 'OpenStack in Action 4',
    aliases: ['OIA Paris', 'OpenStack in Action Paris 2013'],
    city: 'Paris',
    acronym: 'OIA',
  },
  { id: CNS, name: 'Cloud Networking Summit 2014', aliases: ['CNS 2014'], city: 'Boston', acronym: 'CNS' },
  { id: FOSDEM, name: 'FOSDEM 2014', aliases: [], city: 'Brussels', acronym: 'FOSDEM' },
];

const talk = (t: Partial<IndexedTalk> & Pick<IndexedTalk, 'id' | 'eventId' | 'title'>): IndexedTalk => ({
  aliases: [],
  speakers: [],
  ...t,
});

const SEGMENTS = `${OIA}-segments-to-services`;
const HAVANA = `${OIA}-havana-to-icehouse`;
const OPEN_CLOUDS = `${OIA}-open-clouds`;
const MCCLAIN_BOSTON = `${CNS}-distributed-virtual-routers`;
const MCLEAN = `${CNS}-neutron-in-production`;
const ICE_HOUSE = `${FOSDEM}-ice-house-cold-data`;
const SEGMENTATION = `${FOSDEM}-memory-segmentation`;
const GROVLEN = `${FOSDEM}-query-planning`;

const TALKS: IndexedTalk[] = [
  talk({
    id: OPEN_CLOUDS,
    eventId: OIA,
    title: 'Open Clouds: Why Open Source Wins the Hybrid Cloud',
    speakers: [{ name: 'Paul Cormier' }],
    track: 'Keynotes',
    abstract: 'Red Hat’s president of products and technologies on open hybrid clouds and the enterprise.',
  }),
  talk({
    id: HAVANA,
    eventId: OIA,
    title: 'Havana to Icehouse',
    speakers: [{ name: 'Thíerry Carrez' }],
    track: 'Community',
    abstract:
      'What changed in the Havana release and what the Icehouse cycle will bring: release management, design summit.',
  }),
  talk({
    id: SEGMENTS,
    eventId: OIA,
    title: 'From Segments to Services, a Dive into OpenStack Networking',
    speakers: [{ name: 'Mark McClain' }],
    track: 'Networking',
    abstract:
      'How Neutron (formerly Quantum) models L2 segments, routers and advanced services such as load balancing.',
  }),
  talk({
    id: `${OIA}-swift-object-storage`,
    eventId: OIA,
    title: 'Object Storage at Scale with Swift',
    speakers: [{ name: 'Mark Dubois' }],
    track: 'Storage',
    abstract: 'Operating Swift clusters of several petabytes.',
  }),
  talk({
    id: `${OIA}-nova-scheduler`,
    eventId: OIA,
    title: 'Inside the Nova Scheduler',
    speakers: [{ name: 'Sophie Laurent' }],
    track: 'Compute',
    abstract: 'Filters and weighers: how Nova picks a host.',
  }),
  talk({
    id: `${OIA}-hybrid-cloud-panel`,
    eventId: OIA,
    title: 'Panel: Hybrid Cloud in Europe',
    speakers: [{ name: 'Anne Moreau' }, { name: 'Pierre Lefebvre' }, { name: 'Jean Durand' }],
    track: 'Keynotes',
  }),
  talk({
    id: MCCLAIN_BOSTON,
    eventId: CNS,
    title: 'Distributed Virtual Routers at Scale',
    speakers: [{ name: 'Mark McClain' }],
    track: 'Networking',
    abstract: 'Moving L3 forwarding to the compute nodes.',
  }),
  talk({
    id: MCLEAN,
    eventId: CNS,
    title: 'Neutron in Production: Lessons from Large Deployments',
    speakers: [{ name: 'Kyle McLean' }],
    track: 'Operations',
    abstract: 'Running OpenStack networking for thousands of tenants.',
  }),
  talk({
    id: `${CNS}-sdn-overlays`,
    eventId: CNS,
    title: 'SDN Overlays and the Future of Networking',
    speakers: [{ name: 'Mark Thompson' }],
    track: 'Networking',
    abstract: 'VXLAN, Geneve and what comes next for data centre networking.',
  }),
  talk({
    id: ICE_HOUSE,
    eventId: FOSDEM,
    title: 'Building an Ice House for Cold Data',
    speakers: [{ name: 'Ingrid Nilsson' }],
    track: 'Storage',
    abstract: 'Tiered storage for archives nobody reads.',
  }),
  talk({
    id: SEGMENTATION,
    eventId: FOSDEM,
    title: 'Memory Segmentation Revisited',
    speakers: [{ name: "Jean O'Brien" }],
    track: 'Kernel',
    abstract: 'Segment registers, paging and why x86 still carries them.',
  }),
  talk({
    id: GROVLEN,
    eventId: FOSDEM,
    title: 'Query Planning Deep Dive',
    speakers: [{ name: 'Øystein Grøvlen' }],
    track: 'Databases',
    abstract: 'Cost models and join ordering in relational databases.',
  }),
];

function buildIndex(): TalkIndex {
  const index = new TalkIndex();
  for (const e of EVENTS) index.upsertEvent(e);
  for (const t of TALKS) index.upsertTalk(t);
  return index;
}

const ids = (hits: readonly SearchHit[]): string[] => hits.map((h) => h.id);

function expectCanonicalOrder(hits: readonly SearchHit[]): void {
  for (let i = 1; i < hits.length; i++) {
    const prev = hits[i - 1];
    const cur = hits[i];
    if (prev === undefined || cur === undefined) continue;
    expect(prev.score > cur.score || (prev.score === cur.score && prev.id < cur.id), `order at ${i}`).to.equal(true);
  }
  for (const h of hits) expect(h.score).to.be.greaterThan(0).and.at.most(1);
}

describe('matcher/TalkIndex', () => {
  let index: TalkIndex;
  beforeEach(() => {
    index = buildIndex();
  });

  describe('free-text lookup', () => {
    it('finds a talk from speaker surname + topic word (mcclain neutron)', () => {
      const hits = index.search('mcclain neutron');
      expect(hits[0]?.id).to.equal(SEGMENTS);
      expect(hits[0]?.matched).to.deep.include({
        term: 'mcclain',
        field: 'speaker',
        via: 'exact',
        indexTerm: 'mcclain',
      });
      expect(hits[0]?.matched).to.deep.include({
        term: 'neutron',
        field: 'abstract',
        via: 'exact',
        indexTerm: 'neutron',
      });
      expectCanonicalOrder(hits);
    });

    it('finds a talk from title words + speaker (havana icehouse carrez)', () => {
      const hits = index.search('havana icehouse carrez');
      expect(hits[0]?.id).to.equal(HAVANA);
      expect(hits[0]?.score).to.be.greaterThan(0.9);
    });

    it('gives an exact full-title match the score 1', () => {
      const hits = index.search('Havana to Icehouse');
      expect(hits[0]?.id).to.equal(HAVANA);
      expect(hits[0]?.score).to.equal(1);
    });

    it('joins adjacent query tokens into an indexed compound (havana ice house)', () => {
      const hits = index.search('havana ice house');
      expect(hits[0]?.id).to.equal(HAVANA);
      expect(hits[0]?.matched).to.deep.include({ term: 'ice', field: 'title', via: 'compound', indexTerm: 'icehouse' });
      expect(ids(hits)).to.include(ICE_HOUSE); // the literal "Ice House" talk, ranked below
    });

    it('splits a query token into adjacent indexed terms (icehouse → ice house)', () => {
      const hits = index.search('icehouse');
      expect(hits[0]?.id).to.equal(HAVANA);
      const split = hits.find((h) => h.id === ICE_HOUSE);
      expect(split?.matched).to.deep.equal([
        { term: 'icehouse', field: 'title', via: 'compound', indexTerm: 'ice house' },
      ]);
    });

    it('tolerates typos (segmants to servises, carez, icehose)', () => {
      const hits = index.search('segmants to servises');
      expect(hits[0]?.id).to.equal(SEGMENTS);
      expect(hits[0]?.matched.map((m) => m.via)).to.deep.equal(['fuzzy', 'fuzzy']);
      expect(index.search('carez')[0]?.id).to.equal(HAVANA);
      expect(index.search('icehose')[0]?.id).to.equal(HAVANA);
    });

    it('finds a talk from part of its title (dive into openstack networking)', () => {
      const hits = index.search('dive into openstack networking');
      expect(hits[0]?.id).to.equal(SEGMENTS);
    });

    it('finds talks by speaker alone, in any spelling', () => {
      expect(index.search('cormier')[0]?.id).to.equal(OPEN_CLOUDS);
      for (const q of ['mcclain', 'Mark McCLain', 'mark mcclian', 'McClain’s', 'markmcclain']) {
        expect(ids(index.search(q)).slice(0, 2).sort(), q).to.deep.equal([MCCLAIN_BOSTON, SEGMENTS].sort());
      }
      expect(index.search('thierry')[0]?.id).to.equal(HAVANA);
      expect(index.search('oystein grovlen')[0]?.id).to.equal(GROVLEN);
      expect(index.search("o'brien")[0]?.id).to.equal(SEGMENTATION);
    });

    it('does not confuse McClain with McLean', () => {
      const hits = index.search('mcclain');
      expect(ids(hits)).not.to.include(MCLEAN);
      expect(index.search('mclean')[0]?.id).to.equal(MCLEAN);
    });

    it('completes the last token as a prefix while it is being typed (segm)', () => {
      const hits = index.search('segm');
      expect(ids(hits)).to.include.members([SEGMENTS, SEGMENTATION]);
      for (const h of hits) expect(h.matched[0]?.via).to.equal('prefix');
      expect(index.search('segm ')).to.deep.equal([]); // finished word: no completion
      expect(index.search('segm', { prefix: false })).to.deep.equal([]);
      expect(index.search('mcclain segm')[0]?.id).to.equal(SEGMENTS);
    });

    it('uses event terms to boost talks of the matching event (mcclain paris)', () => {
      const hits = index.search('mcclain paris');
      expect(hits[0]?.id).to.equal(SEGMENTS);
      expect(hits[1]?.id).to.equal(MCCLAIN_BOSTON);
      expect(hits[0]?.matched).to.deep.include({ term: 'paris', field: 'event', via: 'exact', indexTerm: 'paris' });
      expect(index.search('mcclain boston')[0]?.id).to.equal(MCCLAIN_BOSTON);
      expect(index.search('oia networking')[0]?.id).to.equal(SEGMENTS);
    });

    it('restricts results to one event with eventId', () => {
      const hits = index.search('mark', { eventId: OIA });
      expect(hits.length).to.be.greaterThan(0);
      for (const h of hits) expect(index.talkIdsForEvent(OIA).has(h.id)).to.equal(true);
      expect(ids(hits)).not.to.include(MCCLAIN_BOSTON);
      expect(index.search('networking', { eventId: 'no-such-event' })).to.deep.equal([]);
    });

    it('returns nothing for a stopword-only or empty query', () => {
      expect(index.search('how to the and of')).to.deep.equal([]);
      expect(index.search('')).to.deep.equal([]);
      expect(index.search('  ,;  ')).to.deep.equal([]);
      expect(index.lastSearchStats.candidates).to.equal(0);
    });

    it('returns nothing (or only weak hits) for unrelated queries', () => {
      expect(index.search('blockchain cryptocurrency')).to.deep.equal([]);
      for (const h of index.search('kubernetes operators on raspberry pi')) expect(h.score).to.be.lessThan(0.3);
    });

    it('keeps unmatched query terms in the denominator', () => {
      const good = index.search('mcclain neutron').find((h) => h.id === SEGMENTS)?.score ?? 0;
      const bad = index.search('mcclain blockchain').find((h) => h.id === SEGMENTS)?.score ?? 0;
      expect(bad).to.be.greaterThan(0);
      expect(bad).to.be.lessThan(good);
    });

    it('honours limit and minScore', () => {
      expect(index.search('networking', { limit: 2 })).to.have.length(2);
      expect(index.search('networking', { limit: 0 })).to.deep.equal([]);
      for (const h of index.search('mark networking', { minScore: 0.5 })) expect(h.score).to.be.at.least(0.5);
    });

    it('orders deterministically: score descending, then id ascending', () => {
      const first = index.search('mark');
      expect(first.length).to.be.at.least(4);
      expectCanonicalOrder(first);
      // every "Mark" matches the same way: a pure tie broken by id
      const marks = first.filter((h) => h.matched[0]?.indexTerm === 'mark' && h.matched.length === 1);
      expect(ids(marks)).to.deep.equal([...ids(marks)].sort());
      expect(index.search('mark')).to.deep.equal(first);
      // insertion order does not matter
      const reversed = new TalkIndex();
      for (const t of [...TALKS].reverse()) reversed.upsertTalk(t);
      for (const e of [...EVENTS].reverse()) reversed.upsertEvent(e);
      for (const q of ['mark', 'networking', 'mcclain paris', 'segm', 'havana ice house']) {
        expect(reversed.search(q), q).to.deep.equal(index.search(q));
      }
    });
  });

  describe('updates', () => {
    it('leaves no stale hits after removeTalk', () => {
      index.removeTalk(SEGMENTS);
      expect(index.size).to.equal(TALKS.length - 1);
      expect(ids(index.search('segments services dive'))).not.to.include(SEGMENTS);
      expect(ids(index.search('mcclain'))).to.deep.equal([MCCLAIN_BOSTON]);
      expect(index.postings('segments', 'title').size).to.equal(0);
      expect(index.talkIdsForEvent(OIA).has(SEGMENTS)).to.equal(false);
      expect(index.expandTerm('segmants').map((e) => e.indexTerm)).not.to.include('segments');
      index.removeTalk(SEGMENTS); // idempotent
      expect(index.size).to.equal(TALKS.length - 1);
    });

    it('re-indexes cleanly on upsert of an existing id', () => {
      const original = TALKS.find((t) => t.id === SEGMENTS);
      if (original === undefined) throw new Error('fixture');
      index.upsertTalk({
        ...original,
        title: 'Neutron Deep Dive',
        abstract: undefined,
        speakers: [{ name: 'Kyle Mestery' }],
      });
      expect(index.size).to.equal(TALKS.length);
      expect(ids(index.search('segments services'))).not.to.include(SEGMENTS);
      expect(ids(index.search('mcclain'))).to.deep.equal([MCCLAIN_BOSTON]);
      expect(index.search('mestery')[0]?.id).to.equal(SEGMENTS);
      expect(index.postings('deep', 'title')).to.deep.equal(new Set([SEGMENTS, GROVLEN]));
      expect(index.documentFrequency('segments')).to.equal(0);
    });

    it('moves a talk between events on upsert', () => {
      const original = TALKS.find((t) => t.id === SEGMENTS);
      if (original === undefined) throw new Error('fixture');
      index.upsertTalk({ ...original, eventId: CNS });
      expect(index.talkIdsForEvent(OIA).has(SEGMENTS)).to.equal(false);
      expect(index.talkIdsForEvent(CNS).has(SEGMENTS)).to.equal(true);
      expect(ids(index.search('segments', { eventId: OIA }))).to.deep.equal([]);
      expect(index.search('segments', { eventId: CNS })[0]?.id).to.equal(SEGMENTS);
    });

    it('indexes event terms once per event, whether talks come before or after', () => {
      const late = new TalkIndex();
      for (const t of TALKS) late.upsertTalk(t);
      expect(late.postings('paris', 'event').size).to.equal(0);
      for (const e of EVENTS) late.upsertEvent(e);
      expect(late.postings('paris', 'event')).to.deep.equal(new Set(index.talkIdsForEvent(OIA)));
      late.upsertEvent({ id: OIA, name: 'OpenStack in Action 4', aliases: [], city: 'Lyon' });
      expect(late.postings('paris', 'event').size).to.equal(0);
      expect(late.search('mcclain lyon')[0]?.id).to.equal(SEGMENTS);
      late.removeEvent(OIA);
      expect(late.postings('lyon', 'event').size).to.equal(0);
      expect(late.size).to.equal(TALKS.length);
    });
  });

  describe('primitives', () => {
    it('exposes postings per field', () => {
      expect(index.postings('mcclain', 'speaker')).to.deep.equal(new Set([SEGMENTS, MCCLAIN_BOSTON]));
      expect(index.postings('mcclain', 'title').size).to.equal(0);
      expect(index.postings('networking', 'track')).to.deep.equal(
        new Set([SEGMENTS, MCCLAIN_BOSTON, `${CNS}-sdn-overlays`]),
      );
      expect(index.postings('oia', 'event')).to.deep.equal(new Set(index.talkIdsForEvent(OIA)));
      expect(index.postings('ice house', 'title')).to.deep.equal(new Set([ICE_HOUSE]));
      expect(index.postings('the', 'title').size).to.equal(0); // stopwords are not indexed
    });

    it('computes document frequency and BM25 idf', () => {
      expect(index.size).to.equal(TALKS.length);
      expect(index.documentFrequency('mcclain')).to.equal(2);
      expect(index.documentFrequency('paris')).to.equal(index.talkIdsForEvent(OIA).size);
      expect(index.documentFrequency('nope')).to.equal(0);
      const n = TALKS.length;
      expect(index.idf('mcclain')).to.be.closeTo(Math.log(1 + (n - 2 + 0.5) / 2.5), 1e-12);
      expect(index.idf('carrez')).to.be.greaterThan(index.idf('networking'));
      expect(index.idf('the')).to.equal(0);
    });

    it('expands terms: exact, fuzzy, compound, prefix', () => {
      expect(index.expandTerm('mcclain')[0]).to.deep.equal({ indexTerm: 'mcclain', via: 'exact', penalty: 0 });
      expect(index.expandTerm('mcclian')).to.deep.include({ indexTerm: 'mcclain', via: 'fuzzy', penalty: 0.2 });
      expect(index.expandTerm('ntworkng')).to.deep.include({ indexTerm: 'networking', via: 'fuzzy', penalty: 0.35 });
      expect(index.expandTerm('mcclian', { fuzzy: false })).to.deep.equal([]);
      expect(index.expandTerm('icehouse').map((e) => e.indexTerm)).to.include.members(['icehouse', 'ice house']);
      expect(index.expandTerm('ice house')).to.deep.equal([{ indexTerm: 'icehouse', via: 'compound', penalty: 0.05 }]);
      const prefix = index.expandTerm('segm', { prefix: true }).map((e) => e.indexTerm);
      expect(prefix).to.include.members(['segment', 'segments', 'segmentation']);
      expect(index.expandTerm('segm')).to.deep.equal([]);
    });
  });

  describe('frequent terms', () => {
    it('only scores candidates found through rarer terms', () => {
      // every postings list longer than 1 counts as frequent here
      const tiny = new TalkIndex({ minEnumeration: 1, enumerationCap: 1 });
      for (const e of EVENTS) tiny.upsertEvent(e);
      for (const t of TALKS) tiny.upsertTalk(t);
      const hits = tiny.search('networking carrez');
      expect(tiny.lastSearchStats.fallback).to.equal(false);
      expect(tiny.lastSearchStats.sourcesDeferred).to.be.greaterThan(0);
      expect(ids(hits)).to.deep.equal([HAVANA]); // the only talk reachable through "carrez"
    });

    it('falls back to the first postings of the rarest frequent source, capped', () => {
      const tiny = new TalkIndex({ minEnumeration: 1, enumerationCap: 1, fallbackCandidates: 2 });
      for (const e of EVENTS) tiny.upsertEvent(e);
      for (const t of TALKS) tiny.upsertTalk(t);
      const hits = tiny.search('networking');
      expect(tiny.lastSearchStats.fallback).to.equal(true);
      expect(tiny.lastSearchStats.candidates).to.equal(2);
      expect(hits).to.have.length(2);
      expectCanonicalOrder(hits);
    });
  });

  describe('cost', function () {
    this.timeout(120_000);
    const N = 20_000;
    let big: TalkIndex;
    let catalogue: ReturnType<typeof syntheticCatalogue>;

    before(() => {
      catalogue = syntheticCatalogue(N, 7);
      big = new TalkIndex();
      for (const e of catalogue.events) big.upsertEvent(e);
      for (const t of catalogue.talks) big.upsertTalk(t);
    });

    it('generates the same catalogue for the same seed', () => {
      const again = syntheticCatalogue(200, 7);
      expect(again.talks).to.deep.equal(catalogue.talks.slice(0, 200));
      expect(syntheticCatalogue(200, 8).talks).not.to.deep.equal(again.talks);
      expect(catalogue.talks).to.have.length(N);
      expect(catalogue.events).to.have.length(N / 50);
    });

    it('scores far fewer talks than the catalogue for a rare-term query', () => {
      let rarest = { talk: catalogue.talks[0], word: '', df: Infinity };
      for (const t of catalogue.talks) {
        for (const w of tokenize(t.title)) {
          const df = big.documentFrequency(w);
          if (df > 0 && df < rarest.df) rarest = { talk: t, word: w, df };
        }
      }
      const target = rarest.talk;
      if (target === undefined) throw new Error('fixture');
      const surname = tokenize(target.speakers[0]?.name ?? '').at(-1) ?? '';
      const hits = big.search(`${surname} ${rarest.word} `);
      expect(hits[0]?.id).to.equal(target.id);
      const stats = big.lastSearchStats;
      expect(stats.candidates).to.be.lessThan(N / 20);
      expect(stats.candidatesScored).to.be.at.most(stats.candidates);
      expect(stats.postingsVisited).to.be.lessThan(N / 20);
    });

    it('does not enumerate the postings of a very frequent term', () => {
      const counts = new Map<string, number>();
      for (const t of catalogue.talks)
        for (const w of new Set(tokenize(t.title))) counts.set(w, (counts.get(w) ?? 0) + 1);
      const [frequent] = [...counts].filter(([w]) => big.idf(w) > 0).sort((a, b) => b[1] - a[1])[0] ?? [''];
      const df = big.documentFrequency(frequent);
      expect(df).to.be.greaterThan(N / 10);
      expect(big.search(`${frequent} `)).to.have.length(10);
      const stats = big.lastSearchStats;
      expect(stats.sourcesDeferred).to.be.greaterThan(0);
      expect(stats.postingsVisited).to.be.lessThan(df / 2);
      expect(stats.candidates).to.be.lessThan(N / 10);
    });

    it('keeps typo, prefix and event-filtered lookups bounded', () => {
      const target = catalogue.talks[12_345];
      if (target === undefined) throw new Error('fixture');
      const words = tokenize(target.title).filter((w) => w.length >= 6);
      const typo = words.map((w) => `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}`).join(' ');
      for (const [q, opts] of [
        [typo, {}],
        [target.title.slice(0, -2), {}],
        [target.title, { eventId: target.eventId }],
      ] as const) {
        big.search(q, opts);
        expect(big.lastSearchStats.candidatesScored, q).to.be.lessThan(N / 4);
      }
      expect(big.search(target.title, { eventId: target.eventId })[0]?.id).to.equal(target.id);
    });
  });
});
