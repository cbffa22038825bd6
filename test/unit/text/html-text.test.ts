import { expect } from 'chai';
import { hrefsOf, htmlText, parseHtml } from '../../../src/text/html-text.ts';

describe('HTML text', () => {
  it('collapses whitespace per text node, decodes references and keeps raw hrefs with their spans', () => {
    const { text, links } = htmlText(parseHtml('Rust &amp;\n  WASM <a href="/talk?x=1&amp;y=2">the   talk</a>!'));
    expect(text).to.equal('Rust & WASM the talk!');
    expect(links).to.deep.equal([{ href: '/talk?x=1&y=2', start: 12, end: 20 }]);
    expect(text.slice(12, 20)).to.equal('the talk');
  });

  it('breaks lines around blocks; void blocks break once unless asked for both sides', () => {
    const nodes = parseHtml('<p>a<br>b</p><hr>c');
    const blocks = new Set(['p', 'br', 'hr']);
    expect(htmlText(nodes, { blocks }).text).to.equal('\na\nb\n\nc');
    expect(htmlText(nodes, { blocks, breakAroundVoid: true }).text).to.equal('\na\n\nb\n\n\nc');
    expect(htmlText(nodes).text).to.equal('abc');
  });

  it('skips elements with everything inside them, links included', () => {
    const nodes = parseHtml('a<nav>menu <a href="/x">x</a></nav><script>var s = 1;</script>b');
    const { text, links } = htmlText(nodes, { skip: (el) => el.name === 'nav' || el.name === 'script' });
    expect(text).to.equal('ab');
    expect(links).to.deep.equal([]);
  });

  it('reads image alt text only when asked', () => {
    const nodes = parseHtml('see<img alt="the slides" src="s.png">here');
    expect(htmlText(nodes).text).to.equal('seehere');
    expect(htmlText(nodes, { imageAlt: true }).text).to.equal('see the slides here');
  });

  it('hrefsOf lists <a> and <link> hrefs as written, in order', () => {
    const html =
      '<head><link rel="webmention" href=" /wm "></head><body><a href="https://t.example/1?a=1&amp;b=2">x</a><a>no</a><a href="#f">f</a></body>';
    expect(hrefsOf(html)).to.deep.equal(['/wm', 'https://t.example/1?a=1&b=2', '#f']);
  });
});
