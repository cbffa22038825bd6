import { expect } from 'chai';
import { extractHtml, extractText } from '../../../src/text/extract.ts';
import { datesIn, tokenizeWithOffsets } from '../../../src/mentions/detect.ts';

describe('matcher/extract and tokens', () => {
  it('keeps the article, drops navigation, sidebars, share blocks, comments and footers; anchors keep their offsets', () => {
    const doc = extractHtml(
      `<html><head><title>T</title></head><body><nav>Menu Home</nav><div class="site-header">Header</div>
       <article><h1>Recap</h1><div class="entry-content"><p>Intro text with <a href="/t/x">a link</a>.</p><div class="sharedaddy">Share this</div></div></article>
       <aside>Sidebar</aside><div id="comments">Leave a Reply</div><footer>Footer</footer></body></html>`,
      'https://blog.example/2013/12/recap',
    );
    expect(doc.title).to.equal('Recap');
    expect(doc.text).to.include('Intro text with a link.');
    for (const junk of ['Menu', 'Header', 'Share this', 'Sidebar', 'Leave a Reply', 'Footer'])
      expect(doc.text).to.not.include(junk);
    expect(doc.links).to.have.length(1);
    expect(doc.links[0]!.href).to.equal('https://blog.example/t/x');
    expect(doc.text.slice(doc.links[0]!.start, doc.links[0]!.end)).to.equal('a link');
  });

  it('reads Markdown links, angle-bracket and bare URLs, and cuts a pasted comment form', () => {
    const body = `# Notes\n\nSee [the talk](https://talkreel.example/t/abc) and <https://youtu.be/xyz> or https://media.ccc.de/v/foo-1.\n\n${'Body text. '.repeat(20)}\n\nLeave a Reply\nYou are commenting using your account. Log Out / Change`;
    const doc = extractText(body);
    expect(doc.links.map((l) => l.href)).to.deep.equal([
      'https://talkreel.example/t/abc',
      'https://youtu.be/xyz',
      'https://media.ccc.de/v/foo-1',
    ]);
    expect(doc.text.slice(doc.links[0]!.start, doc.links[0]!.end)).to.equal('the talk');
    expect(doc.text).to.not.include('Log Out');
    expect(doc.text.trimStart().startsWith('Notes')).to.equal(true);
  });

  it('finds dates written the ways posts write them', () => {
    expect(datesIn('OpenStack in Action, Paris (5DEC2013)')).to.deep.equal(['2013-12-05']);
    expect(datesIn('on December 5, 2013 and 2014-06-12, also 13 June 2014 and 05.12.2013').sort()).to.deep.equal([
      '2013-12-05',
      '2014-06-12',
      '2014-06-13',
    ]);
  });

  it('tokenises with offsets, folding case, accents and possessives', () => {
    const text = 'Mark McCLain’s talk and Thíerry Carrez‘s';
    const tokens = tokenizeWithOffsets(text);
    expect(tokens.map((t) => t.t)).to.deep.equal(['mark', 'mcclain', 'talk', 'and', 'thierry', 'carrez']);
    expect(text.slice(tokens[1]!.start, tokens[1]!.end)).to.equal('McCLain’s');
  });
});
