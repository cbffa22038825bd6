import { expect } from 'chai';
import { canonicalUrl, httpUrl, parseHttpUrl, resolveHttpUrl, urlKey } from '../../../src/text/urls.ts';

describe('URLs', () => {
  it('parseHttpUrl accepts http(s) only, resolving against a base, and never throws', () => {
    expect(parseHttpUrl('https://example.org/a')?.href).to.equal('https://example.org/a');
    expect(parseHttpUrl('/b', 'https://example.org/a/')?.href).to.equal('https://example.org/b');
    expect(parseHttpUrl('mailto:x@example.org')).to.equal(undefined);
    expect(parseHttpUrl('javascript:alert(1)')).to.equal(undefined);
    expect(parseHttpUrl('/b')).to.equal(undefined);
    expect(parseHttpUrl('/b', 'not a base')).to.equal(undefined);
  });

  it('httpUrl keeps an absolute URL as written and resolves a relative one', () => {
    expect(httpUrl('  HTTPS://Example.org/A?x=1  ')).to.equal('HTTPS://Example.org/A?x=1');
    expect(httpUrl('../c', 'https://feed.example/a/b')).to.equal('https://feed.example/c');
    expect(httpUrl('../c')).to.equal(undefined);
    expect(httpUrl('ftp://x.example/', 'https://feed.example/')).to.equal(undefined);
    expect(httpUrl('', 'https://feed.example/')).to.equal(undefined);
    expect(httpUrl(undefined)).to.equal(undefined);
  });

  it('resolveHttpUrl resolves and normalises', () => {
    expect(resolveHttpUrl(' HTTPS://Example.org ')).to.equal('https://example.org/');
    expect(resolveHttpUrl('x?y=1#z', 'https://blog.example/post/')).to.equal('https://blog.example/post/x?y=1#z');
    expect(resolveHttpUrl('data:text/plain,x')).to.equal(undefined);
  });

  it('canonicalUrl maps spellings of one page to one form', () => {
    for (const url of [
      'http://www.example.org/talks/1/',
      'https://example.org/talks/1',
      'https://EXAMPLE.org/talks/1#video',
      'https://www.example.org/talks/1//',
    ])
      expect(canonicalUrl(url), url).to.equal('https://example.org/talks/1');
    expect(canonicalUrl('https://example.org/t?id=1')).to.equal('https://example.org/t?id=1');
    expect(canonicalUrl('not a url')).to.equal('not a url');
  });

  it('urlKey is the video key for recordings and the canonical URL otherwise', () => {
    expect(urlKey('https://youtu.be/vidSegments01')).to.equal('youtube:vidSegments01');
    expect(urlKey('https://www.youtube.com/watch?v=vidSegments01&t=95s')).to.equal('youtube:vidSegments01');
    expect(urlKey('http://www.example.org/schedule/event/1/')).to.equal('https://example.org/schedule/event/1');
  });
});
