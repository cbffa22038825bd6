import { expect } from 'chai';
import { Candidates } from '../../../src/search/candidates.ts';
import { TermExpander, offerExpansion, prefixPenalty } from '../../../src/search/expansion.ts';
import { adjacentIn } from '../../../src/search/phrases.ts';
import {
  EMPTY_SOURCE,
  SetSource,
  termFields,
  type ScoredSource,
  type TalkRecord,
} from '../../../src/search/postings.ts';
import { bm25Idf } from '../../../src/search/query.ts';
import { better } from '../../../src/search/ranking.ts';
import { emptySearchStats, type TermExpansion } from '../../../src/search/types.ts';
import { Vocabulary, deletions } from '../../../src/search/vocabulary.ts';

describe('search/ building blocks', () => {
  describe('bm25Idf', () => {
    it('is ln(1 + (N − df + 0.5) / (df + 0.5)), 0 for an empty index', () => {
      expect(bm25Idf(0, 0)).to.equal(0);
      expect(bm25Idf(10, 1)).to.be.closeTo(Math.log(1 + 9.5 / 1.5), 1e-12);
      expect(bm25Idf(10, 0)).to.be.greaterThan(bm25Idf(10, 1));
      expect(bm25Idf(10, 10)).to.be.greaterThan(0);
    });
  });

  describe('deletions', () => {
    it('lists every string 1 (or up to depth) characters shorter', () => {
      const one = new Set<string>();
      deletions('abc', 1, one);
      expect([...one].sort()).to.deep.equal(['ab', 'ac', 'bc']);
      const two = new Set<string>();
      deletions('abc', 2, two);
      expect([...two].sort()).to.deep.equal(['a', 'ab', 'ac', 'b', 'bc', 'c']);
    });
  });

  describe('termFields', () => {
    it('gives each non-stopword term the set of fields holding it', () => {
      const record: TalkRecord = {
        id: 't',
        eventId: 'e',
        sequences: { title: [['neutron', 'in', 'action']], speaker: [['mark', 'mcclain']], track: [['neutron']] },
        abstractTerms: ['neutron', 'plugins'],
      };
      const fields = termFields(record);
      expect([...(fields.get('neutron') ?? [])].sort()).to.deep.equal(['abstract', 'title', 'track']);
      expect([...(fields.get('mcclain') ?? [])]).to.deep.equal(['speaker']);
      expect(fields.has('in')).to.equal(false);
    });
  });

  describe('adjacentIn', () => {
    it('is true only when a is directly followed by b in one sequence', () => {
      const seqs = [['havana', 'ice', 'house'], ['ice']];
      expect(adjacentIn(seqs, 'ice', 'house')).to.equal(true);
      expect(adjacentIn(seqs, 'house', 'ice')).to.equal(false);
      expect(adjacentIn(seqs, 'havana', 'house')).to.equal(false);
      expect(adjacentIn([], 'ice', 'house')).to.equal(false);
    });
  });

  describe('expansion helpers', () => {
    it('prefixPenalty shrinks as more of the term is typed', () => {
      expect(prefixPenalty(3, 6)).to.be.closeTo(0.25, 1e-12);
      expect(prefixPenalty(5, 6)).to.be.lessThan(prefixPenalty(3, 6));
    });

    it('offerExpansion keeps the lowest penalty per index term', () => {
      const found = new Map<string, TermExpansion>();
      offerExpansion(found, { indexTerm: 'house', via: 'fuzzy', penalty: 0.2 });
      offerExpansion(found, { indexTerm: 'house', via: 'exact', penalty: 0 });
      offerExpansion(found, { indexTerm: 'house', via: 'prefix', penalty: 0.3 });
      expect(found.get('house')).to.deep.equal({ indexTerm: 'house', via: 'exact', penalty: 0 });
    });
  });

  describe('Vocabulary and TermExpander', () => {
    const vocab = new Vocabulary(true);
    for (const t of ['ice', 'house', 'icehouse', 'neutron', 'networking', 'network', 'v2024']) vocab.entryFor(t);
    const expander = new TermExpander(vocab, () => 1, {
      maxFuzzyExpansions: 16,
      maxPrefixExpansions: 24,
      maxPrefixScan: 2000,
    });

    it('finds typo candidates through the deletion index, never for terms with digits', () => {
      expect([...vocab.typoCandidates('nuetron', 1)]).to.include('neutron');
      expect(vocab.fuzzyDepthOf('v2025')).to.equal(0);
      expect(vocab.fuzzyDepthOf('house')).to.equal(1);
      expect(vocab.fuzzyDepthOf('networks')).to.equal(2);
    });

    it('completes prefixes in code-unit order, without the typed term itself', () => {
      expect(vocab.completions('net', 10)).to.deep.equal(['network', 'networking']);
      expect(vocab.completions('network', 10)).to.deep.equal(['networking']);
      expect(vocab.completions('net', 1)).to.deep.equal(['network']);
    });

    it('expands exact, fuzzy, split and joined compounds', () => {
      const found = new Map<string, TermExpansion>();
      expander.collect('icehouse', false, true, found);
      expect(found.get('icehouse')?.via).to.equal('exact');
      expect(found.get('ice house')?.via).to.equal('compound');
      expect(expander.joined('ice', 'house')?.indexTerm).to.equal('icehouse');
      expect(expander.joined('ice', 'cream')).to.equal(undefined);
      expect(expander.expand('nuetron').map((e) => [e.indexTerm, e.via])).to.deep.equal([['neutron', 'fuzzy']]);
    });

    it('forgets a term once nothing holds it', () => {
      const v = new Vocabulary(true);
      const entry = v.entryFor('kernel');
      v.dropIfEmpty(entry);
      expect(v.has('kernel')).to.equal(false);
      expect(v.typoCandidates('kernal', 1).size).to.equal(0);
    });
  });

  describe('Candidates', () => {
    const scored = (index: number, term: number, value: number): ScoredSource => ({
      index,
      source: EMPTY_SOURCE,
      term,
      field: 'title',
      expansion: { indexTerm: 'x', via: 'exact', penalty: 0 },
      value,
    });

    it('keeps the best value per term and the k-th best partial score', () => {
      const slotOf = new Int32Array(8).fill(-1);
      const c = new Candidates(2, slotOf);
      const a = c.slot(3);
      const b = c.slot(5);
      expect(c.slot(3)).to.equal(a);
      c.credit(a, scored(0, 0, 0.5));
      c.credit(a, scored(1, 0, 0.25)); // lower: ignored
      c.credit(a, scored(2, 1, 0.25));
      c.credit(b, scored(3, 0, 0.5));
      expect(c.score(a)).to.equal(0.75);
      expect(c.from[a * 2]).to.equal(0);
      expect(c.kthPartial(1)).to.equal(0.75);
      expect(c.kthPartial(2)).to.equal(0.5);
      expect(c.kthPartial(3)).to.equal(0);
      c.release();
      expect([...slotOf].every((s) => s === -1)).to.equal(true);
    });

    it('grows past its initial capacity', () => {
      const c = new Candidates(1, new Int32Array(200).fill(-1));
      for (let d = 0; d < 200; d++) c.credit(c.slot(d), scored(0, 0, d));
      expect(c.count).to.equal(200);
      expect(c.score(c.slot(199))).to.equal(199);
      expect(c.kthPartial(3)).to.equal(197);
    });
  });

  describe('ranking order and sources', () => {
    it('better: higher score first, then lower id', () => {
      expect(better({ id: 'b', raw: 2 }, { id: 'a', raw: 1 })).to.equal(true);
      expect(better({ id: 'a', raw: 1 }, { id: 'b', raw: 1 })).to.equal(true);
      expect(better({ id: 'b', raw: 1 }, { id: 'a', raw: 1 })).to.equal(false);
    });

    it('SetSource stops visiting when the callback returns false; stats start at zero', () => {
      const seen: number[] = [];
      new SetSource(new Set([1, 2, 3])).forEach((d) => {
        seen.push(d);
        return d < 2;
      });
      expect(seen).to.deep.equal([1, 2]);
      expect(emptySearchStats()).to.include({ candidates: 0, fallback: false });
    });
  });
});
