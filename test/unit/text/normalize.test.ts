import { expect } from 'chai';
import {
  STOPWORDS,
  boundedEditDistance,
  editDistanceAtMost,
  normalizeText,
  similarity,
  tokenize,
} from '../../../src/text/normalize.ts';

describe('matcher/normalize', () => {
  describe('normalizeText', () => {
    it('lowercases and strips diacritics', () => {
      expect(normalizeText('Thíerry CARREZ')).to.equal('thierry carrez');
      expect(normalizeText('Crème Brûlée à Paris')).to.equal('creme brulee a paris');
    });

    it('transliterates letters that NFKD leaves alone', () => {
      expect(normalizeText('Straße')).to.equal('strasse');
      expect(normalizeText('Æsir Œuvre')).to.equal('aesir oeuvre');
      expect(normalizeText('Øystein Grøvlen')).to.equal('oystein grovlen');
      expect(normalizeText('Łukasz Wałęsa')).to.equal('lukasz walesa');
      expect(normalizeText('Þór Điện')).to.equal('thor dien');
    });

    it('applies compatibility folding (ligatures, full-width)', () => {
      expect(normalizeText('ﬁle ＦＵＬＬ')).to.equal('file full');
    });

    it('drops possessives with any apostrophe', () => {
      expect(normalizeText("McClain's")).to.equal('mcclain');
      expect(normalizeText('Carrez‘s')).to.equal('carrez');
      expect(normalizeText('Carrez’s')).to.equal('carrez');
      expect(normalizeText('Carrez’')).to.equal('carrez');
      expect(normalizeText("Mark McClain's talk on Neutron")).to.equal('mark mcclain talk on neutron');
    });

    it('joins names split by an apostrophe instead of splitting them', () => {
      expect(normalizeText("O'Brien")).to.equal('obrien');
      expect(normalizeText('O’Sullivan')).to.equal('osullivan');
      expect(normalizeText("D'Angelo's keynote")).to.equal('dangelo keynote');
    });

    it('turns punctuation runs into single spaces and trims', () => {
      expect(normalizeText('  From Segments to Services, a Dive into OpenStack Networking!  ')).to.equal(
        'from segments to services a dive into openstack networking',
      );
      expect(normalizeText('“Havana → Icehouse” (2013)')).to.equal('havana icehouse 2013');
      expect(normalizeText(' -- ')).to.equal('');
    });
  });

  describe('tokenize', () => {
    it('splits normalised text and never yields empty tokens', () => {
      expect(tokenize('  Havana   to Icehouse ')).to.deep.equal(['havana', 'to', 'icehouse']);
      expect(tokenize('')).to.deep.equal([]);
      expect(tokenize('!!!')).to.deep.equal([]);
    });
  });

  describe('STOPWORDS', () => {
    it('holds function words but no domain words', () => {
      for (const w of ['the', 'of', 'to', 'and', 'into', 'how', 'we', 'your']) expect(STOPWORDS.has(w)).to.equal(true);
      for (const w of ['cloud', 'open', 'networking', 'talk', 'keynote', 'neutron'])
        expect(STOPWORDS.has(w)).to.equal(false);
    });

    it('is normalised', () => {
      for (const w of STOPWORDS) expect(normalizeText(w)).to.equal(w);
    });
  });

  describe('edit distance', () => {
    it('counts an adjacent transposition as one edit', () => {
      expect(editDistanceAtMost('mcclian', 'mcclain', 1)).to.equal(true);
      expect(boundedEditDistance('mcclian', 'mcclain', 2)).to.equal(1);
    });

    it('handles insertions, deletions and substitutions', () => {
      expect(editDistanceAtMost('carez', 'carrez', 1)).to.equal(true);
      expect(editDistanceAtMost('icehose', 'icehouse', 1)).to.equal(true);
      expect(editDistanceAtMost('servises', 'services', 1)).to.equal(true);
      expect(editDistanceAtMost('segmants', 'segments', 0)).to.equal(false);
    });

    it('caps at k + 1 and rejects on length alone', () => {
      expect(boundedEditDistance('abc', 'abcdefgh', 2)).to.equal(3);
      expect(boundedEditDistance('kitten', 'sitting', 1)).to.equal(2);
      expect(boundedEditDistance('same', 'same', 0)).to.equal(0);
      expect(editDistanceAtMost('ntworkng', 'networking', 2)).to.equal(true);
    });
  });

  describe('similarity', () => {
    it('is 1 for the same tokens in any order and case', () => {
      expect(similarity('Havana to Icehouse', 'icehouse to HAVANA')).to.equal(1);
    });

    it('ignores stopwords unless a side has nothing else', () => {
      expect(similarity('A Dive into OpenStack Networking', 'dive openstack networking')).to.equal(1);
      expect(similarity('How to', 'how to')).to.equal(1);
    });

    it('tolerates compounds and typos, below an exact match', () => {
      const compound = similarity('Havana to Icehouse', 'havana ice house');
      const typos = similarity('From Segments to Services', 'segmants to servises');
      expect(compound).to.be.greaterThan(0.9).and.lessThan(1);
      expect(typos).to.be.greaterThan(0.7).and.lessThan(compound);
    });

    it('does not fuzzy-match short tokens', () => {
      expect(similarity('nova', 'nave')).to.equal(0);
    });

    it('penalises missing and extra words symmetrically', () => {
      const full = 'From Segments to Services, a Dive into OpenStack Networking';
      const partial = similarity(full, 'dive into openstack networking');
      // content tokens: segments services dive openstack networking vs dive openstack networking
      expect(partial).to.be.closeTo((3 + 3) / (5 + 3), 1e-9);
      expect(similarity('dive into openstack networking', full)).to.equal(partial);
    });

    it('is 0 for unrelated or empty text', () => {
      expect(similarity('Havana to Icehouse', 'PostgreSQL query planning')).to.equal(0);
      expect(similarity('', 'anything')).to.equal(0);
      expect(similarity('', '')).to.equal(0);
    });
  });
});
