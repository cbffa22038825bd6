import { expect } from 'chai';

import { discoverEndpoint, type DiscoveryPage } from '../../../src/notify/webmention-send.ts';

const ROCKS = 'https://webmention.rocks';

/** A fetched page of webmention.rocks test `n`: HTML, no Link header unless given. */
const page = (n: number | string, over: Partial<DiscoveryPage> = {}): DiscoveryPage => ({
  finalUrl: `${ROCKS}/test/${n}`,
  link: undefined,
  contentType: 'text/html; charset=utf-8',
  body: '<!doctype html><html><head><title>test</title></head><body><p>nothing here</p></body></html>',
  ...over,
});
const html = (head: string, body = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>t</title>${head}</head><body>${body}</body></html>`;
const discover = (n: number | string, over: Partial<DiscoveryPage>) =>
  discoverEndpoint(`${ROCKS}/test/${n}`, page(n, over));

// The cases of https://webmention.rocks discovery tests 1–23, in their numbering.
describe('Webmention endpoint discovery (W3C Webmention §3.1.2, webmention.rocks)', () => {
  it('#1 Link header, unquoted rel, relative URL: resolved against the page', () => {
    expect(discover(1, { link: '</test/1/webmention?head=true>; rel=webmention' })).to.equal(
      `${ROCKS}/test/1/webmention?head=true`,
    );
  });

  it('#2 Link header, unquoted rel, absolute URL', () => {
    expect(discover(2, { link: `<${ROCKS}/test/2/webmention?head=true>; rel=webmention` })).to.equal(
      `${ROCKS}/test/2/webmention?head=true`,
    );
  });

  it('#3 and #4 <link> tag, relative and absolute URL', () => {
    expect(discover(3, { body: html('<link rel="webmention" href="/test/3/webmention">') })).to.equal(
      `${ROCKS}/test/3/webmention`,
    );
    expect(discover(4, { body: html(`<link rel="webmention" href="${ROCKS}/test/4/webmention">`) })).to.equal(
      `${ROCKS}/test/4/webmention`,
    );
  });

  it('#5 and #6 <a> tag, relative and absolute URL', () => {
    expect(discover(5, { body: html('', '<a rel="webmention" href="/test/5/webmention">endpoint</a>') })).to.equal(
      `${ROCKS}/test/5/webmention`,
    );
    expect(
      discover(6, { body: html('', `<a href="${ROCKS}/test/6/webmention" rel="webmention">endpoint</a>`) }),
    ).to.equal(`${ROCKS}/test/6/webmention`);
  });

  it('#7 Link header with strange casing (of the rel value and its parameter name)', () => {
    expect(discover(7, { link: `<${ROCKS}/test/7/webmention?head=true>; REL="WebMention"` })).to.equal(
      `${ROCKS}/test/7/webmention?head=true`,
    );
  });

  it('#8 Link header, quoted rel', () => {
    expect(discover(8, { link: `<${ROCKS}/test/8/webmention?head=true>; rel="webmention"` })).to.equal(
      `${ROCKS}/test/8/webmention?head=true`,
    );
  });

  it('#9 multiple rel values on a <link> tag', () => {
    expect(discover(9, { body: html('<link rel="webmention somethingelse" href="/test/9/webmention">') })).to.equal(
      `${ROCKS}/test/9/webmention`,
    );
  });

  it('#10 multiple rel values on a Link header', () => {
    expect(discover(10, { link: '</test/10/webmention?head=true>; rel="webmention somethingelse"' })).to.equal(
      `${ROCKS}/test/10/webmention?head=true`,
    );
    expect(discover(10, { link: '</test/10/webmention?head=true>; rel="somethingelse\twebmention"' })).to.equal(
      `${ROCKS}/test/10/webmention?head=true`,
    );
  });

  it('#11 Link header, <link> and <a> all present: the header wins', () => {
    const body = html(
      '<link rel="webmention" href="/test/11/webmention/error">',
      '<a rel="webmention" href="/test/11/webmention/error">x</a>',
    );
    expect(discover(11, { link: '</test/11/webmention?head=true>; rel="webmention"', body })).to.equal(
      `${ROCKS}/test/11/webmention?head=true`,
    );
  });

  it('#12 rel must hold the exact token webmention, not a word containing it', () => {
    const body = html(
      '<link rel="not-webmention" href="/test/12/webmention/error">',
      '<a rel="webmention" href="/test/12/webmention">x</a>',
    );
    expect(discover(12, { body })).to.equal(`${ROCKS}/test/12/webmention`);
    expect(discover(12, { link: '</test/12/error>; rel="webmentions"', body: html('') })).to.equal(undefined);
  });

  it('#13 a false endpoint inside an HTML comment is ignored', () => {
    const body = html(
      '<!-- <link rel="webmention" href="/test/13/webmention/error"> -->',
      '<!-- <a rel="webmention" href="/test/13/webmention/error">x</a> --><link rel="webmention" href="/test/13/webmention">',
    );
    expect(discover(13, { body })).to.equal(`${ROCKS}/test/13/webmention`);
  });

  it('#14 a false endpoint in escaped HTML (and in script text) is ignored', () => {
    const body = html(
      '<script>document.write(\'<link rel="webmention" href="/test/14/webmention/error">\')</script>',
      '<code>&lt;a href="/test/14/webmention/error" rel="webmention"&gt;&lt;/a&gt;</code><a href="/test/14/webmention" rel="webmention">x</a>',
    );
    expect(discover(14, { body })).to.equal(`${ROCKS}/test/14/webmention`);
  });

  it('#15 an empty href means the page itself is the endpoint (without its fragment)', () => {
    expect(discover(15, { body: html('<link rel="webmention" href="">') })).to.equal(`${ROCKS}/test/15`);
    expect(
      discoverEndpoint(
        `${ROCKS}/test/15#c`,
        page(15, { finalUrl: `${ROCKS}/test/15?x=1#c`, body: html('<link rel="webmention" href="">') }),
      ),
    ).to.equal(`${ROCKS}/test/15?x=1`);
  });

  it('#16 <a> before <link>: the first in document order wins', () => {
    const body =
      '<html><body><a rel="webmention" href="/test/16/webmention">x</a><link rel="webmention" href="/test/16/webmention/error"></body></html>';
    expect(discover(16, { body })).to.equal(`${ROCKS}/test/16/webmention`);
  });

  it('#17 <link> before <a>: the first in document order wins', () => {
    const body = html(
      '<link rel="webmention" href="/test/17/webmention">',
      '<a rel="webmention" href="/test/17/webmention/error">x</a>',
    );
    expect(discover(17, { body })).to.equal(`${ROCKS}/test/17/webmention`);
  });

  it('#18 multiple Link headers (joined by the client): the one with rel webmention', () => {
    const link = [
      `<${ROCKS}/test/18/webmention/error>; rel="other"`,
      '</test/18/webmention?head=true>; rel="webmention"',
    ].join(', ');
    expect(discover(18, { link })).to.equal(`${ROCKS}/test/18/webmention?head=true`);
  });

  it('#19 one Link header with several values: the one with rel webmention', () => {
    const link = `<${ROCKS}/test/19/webmention/error>; rel="other", <${ROCKS}/test/19/webmention>; rel="webmention"`;
    expect(discover(19, { link })).to.equal(`${ROCKS}/test/19/webmention`);
  });

  it('#20 a <link> without href is skipped', () => {
    const body = html('<link rel="webmention">', '<a href="/test/20/webmention" rel="webmention">x</a>');
    expect(discover(20, { body })).to.equal(`${ROCKS}/test/20/webmention`);
  });

  it('#21 the endpoint keeps its query string', () => {
    expect(discover(21, { body: html('<link rel="webmention" href="/test/21/webmention?query=yes">') })).to.equal(
      `${ROCKS}/test/21/webmention?query=yes`,
    );
  });

  it('#22 a path-relative endpoint resolves against the page path', () => {
    expect(discover(22, { body: html('<link rel="webmention" href="22/webmention">') })).to.equal(
      `${ROCKS}/test/22/webmention`,
    );
  });

  it('#23 target redirected: the relative endpoint resolves against the final URL, not the target', () => {
    const finalUrl = `${ROCKS}/test/23/page/abc123`;
    expect(
      discoverEndpoint(
        `${ROCKS}/test/23/page`,
        page(23, { finalUrl, link: '<webmention-endpoint/abc123>; rel="webmention"' }),
      ),
    ).to.equal(`${ROCKS}/test/23/page/webmention-endpoint/abc123`);
  });

  describe('beyond webmention.rocks', () => {
    it('a <link> in the body counts, and rel and tag names are read without case; entities are decoded', () => {
      expect(
        discover('b', { body: '<html><body><p>x</p><LINK REL="WebMention" HREF="/wm?a=1&amp;b=2"></body></html>' }),
      ).to.equal(`${ROCKS}/wm?a=1&b=2`);
    });

    it('reads the HTML only when the page is HTML (also XHTML); a Link header works on any type', () => {
      const body = html('<link rel="webmention" href="/wm">');
      expect(discover('c', { body, contentType: 'application/xhtml+xml' })).to.equal(`${ROCKS}/wm`);
      expect(discover('c', { body, contentType: 'text/plain' })).to.equal(undefined);
      expect(discover('c', { body, contentType: undefined })).to.equal(undefined);
      expect(discover('c', { body, contentType: 'application/json', link: '</wm>; rel=webmention' })).to.equal(
        `${ROCKS}/wm`,
      );
    });

    it('finds nothing on a page without an endpoint, or with only other rels', () => {
      expect(discover('d', {})).to.equal(undefined);
      expect(
        discover('d', { link: '</feed>; rel="alternate"', body: html('<link rel="pingback" href="/xmlrpc">') }),
      ).to.equal(undefined);
    });

    it('only http(s) endpoints: the first advertised one decides', () => {
      expect(discover('e', { body: html('<link rel="webmention" href="javascript:alert(1)">') })).to.equal(undefined);
      expect(
        discover('e', {
          body: html('<link rel="webmention" href="mailto:a@b.c"><a rel="webmention" href="/wm">x</a>'),
        }),
      ).to.equal(undefined);
      expect(discover('e', { body: html('<link rel="webmention" href="http://[::1">') })).to.equal(undefined);
    });

    it('an unreadable Link header is ignored and the HTML is read instead', () => {
      expect(discover('f', { link: 'not a link header', body: html('<link rel="webmention" href="/wm">') })).to.equal(
        `${ROCKS}/wm`,
      );
    });

    it('a Link value with several rel parameters or other parameters first still counts', () => {
      expect(discover('g', { link: '</wm>; title="x; y, z"; rel="webmention"' })).to.equal(`${ROCKS}/wm`);
    });
  });
});
