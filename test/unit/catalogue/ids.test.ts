import { expect } from 'chai';
import { ID_PATTERN, slugify } from '../../../src/catalogue/ids.ts';

describe('slugify', () => {
  const table: [string, string][] = [
    ['OpenStack in Action Paris 2013', 'openstack-in-action-paris-2013'],
    ["Thierry's talk", 'thierrys-talk'],
    ['Thierry’s talk', 'thierrys-talk'],
    ['Café Müller: déjà vu', 'cafe-muller-deja-vu'],
    ['Q&A -- with  the__team!', 'q-a-with-the-team'],
    ['ﬁle ＡＢＣ', 'file-abc'],
    ['  --trim me--  ', 'trim-me'],
    ['Øredev', 'oredev'],
    ['Łódź Straße', 'lodz-strasse'],
    ['Þorn Æsir œuvre', 'thorn-aesir-oeuvre'],
    ['Москва Ruby', 'moskva-ruby'],
    ['Ελληνικά', 'ellinika'],
    ['東京', 'dong-jing'],
    ['한국어', 'hangugeo'],
    ['', ''],
    ['!!!', ''],
  ];
  for (const [input, slug] of table)
    it(`${JSON.stringify(input)} → ${JSON.stringify(slug)}`, () => {
      expect(slugify(input)).to.equal(slug);
    });

  it('gives a valid record id for titles in non-Latin scripts', () => {
    for (const title of ['Øredev', 'Москва Ruby', 'Ελληνικά', '東京 会議', 'こんにちは', '한국어'])
      expect(slugify(title), title).to.match(ID_PATTERN);
  });

  it('cuts long titles at a word boundary, never mid-word or on a dash', () => {
    const title = 'From Segments to Services: Advanced OpenStack Networking in Practice';
    const slug = slugify(title, 40);
    expect(slug).to.equal('from-segments-to-services-advanced');
    expect(slug.length).to.be.at.most(40);
    expect(slugify('x'.repeat(80), 60)).to.equal('x'.repeat(60));
  });
});
