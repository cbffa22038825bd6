import { expect } from 'chai';
import { oneEditApart, TypoIndex } from '../../../src/mentions/typo-index.ts';

describe('mentions: typo index', () => {
  it('finds indexed words one substitution, insertion, deletion or adjacent swap away', () => {
    const typos = new TypoIndex();
    for (const w of ['mcclain', 'icehouse', 'kubernetes', 'carrez']) typos.add(w);
    expect(typos.near('mcclian')).to.deep.equal(['mcclain']); // swap
    expect(typos.near('mccclain')).to.deep.equal(['mcclain']); // insertion
    expect(typos.near('mcclan')).to.deep.equal(['mcclain']); // deletion
    expect(typos.near('mcclein')).to.deep.equal(['mcclain']); // substitution
    expect(typos.near('kubernets')).to.deep.equal(['kubernetes']);
    expect(typos.near('carres')).to.deep.equal(['carrez']);
    expect(typos.near('mcclain')).to.deep.equal([]); // the word itself is not a typo of itself
    expect(typos.near('mlcacin')).to.deep.equal([]); // two edits
  });

  it('never matches short words or words with digits, and forgets a word when its last talk leaves', () => {
    const typos = new TypoIndex();
    typos.add('kohl');
    typos.add('ruby3');
    expect(typos.near('kohn')).to.deep.equal([]);
    expect(typos.near('ruby4')).to.deep.equal([]);
    typos.add('fischer');
    typos.add('fischer');
    typos.remove('fischer');
    expect(typos.near('fisher')).to.deep.equal(['fischer']);
    typos.remove('fischer');
    expect(typos.near('fisher')).to.deep.equal([]);
  });

  it('tells one edit from two, both ways round', () => {
    expect(oneEditApart('abc', 'bca')).to.equal(false);
    expect(oneEditApart('icehouse', 'icehuose')).to.equal(true);
    expect(oneEditApart('icehouse', 'icehouses')).to.equal(true);
    expect(oneEditApart('icehouses', 'icehouse')).to.equal(true);
    expect(oneEditApart('icehouse', 'icehouse')).to.equal(false);
    expect(oneEditApart('icehouse', 'ice')).to.equal(false);
  });
});
