import { expect } from 'chai';
import { parseAtomFeed } from 'feedsmith';

import {
  checkXmlBody,
  describeBody,
  mapItems,
  rootElementOf,
  runFeedsmith,
  snippet,
  stripBom,
  withoutProlog,
  xmlProblem,
} from '../../../src/recordings/feed-body.ts';
import { capText, descriptionOf, looksLikeHtml, normalizePlainText } from '../../../src/recordings/item-text.ts';
import { SourceParseError, type RecordingItem } from '../../../src/recordings/source.ts';

describe('feed bodies (format detection) and item text', () => {
  describe('prolog and root element', () => {
    it('withoutProlog skips BOM, declaration, processing instructions, comments and a doctype with a subset', () => {
      const body =
        '\uFEFF<?xml version="1.0"?>\n<?xml-stylesheet href="s.xsl"?>\n<!-- a > comment -->\n' +
        '<!DOCTYPE rss [ <!ENTITY x "y>"> ]>\n<rss version="2.0"/>';
      expect(withoutProlog(body)).to.equal('<rss version="2.0"/>');
      expect(stripBom('\uFEFFabc')).to.equal('abc');
    });

    it('withoutProlog stops at an unterminated declaration instead of looping', () => {
      expect(withoutProlog('<?xml version="1.0"')).to.equal('<?xml version="1.0"');
      expect(withoutProlog('<!-- never closed <rss/>')).to.equal('<!-- never closed <rss/>');
    });

    it('rootElementOf names the qualified root, or nothing for text', () => {
      expect(rootElementOf('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>')).to.equal('rdf:RDF');
      expect(rootElementOf('<!doctype html><html lang="en">')).to.equal('html');
      expect(rootElementOf('just text')).to.equal(undefined);
    });
  });

  describe('describeBody', () => {
    it('tells HTML, JSON, feeds, other XML, text and empty bodies apart', () => {
      expect(describeBody('  ')).to.equal('an empty body');
      expect(describeBody('<!DOCTYPE html><p>502</p>')).to.equal('HTML (<!DOCTYPE html><p>502</p>)');
      expect(describeBody('<?xml version="1.0"?><html/>')).to.match(/^HTML \(/);
      expect(describeBody('{"error": "nope"}')).to.equal('JSON ({"error": "nope"})');
      expect(describeBody('<?xml version="1.0"?><rss/>')).to.equal('an RSS feed (<rss/>)');
      expect(describeBody('<feed xmlns="http://www.w3.org/2005/Atom"/>')).to.match(/^an Atom feed \(/);
      expect(describeBody('<rdf:RDF/>')).to.equal('an RDF feed (<rdf:RDF/>)');
      expect(describeBody('<opml version="2.0"/>')).to.equal('XML with root <opml> (<opml version="2.0"/>)');
      expect(describeBody('Service Unavailable')).to.equal('text (Service Unavailable)');
    });

    it('snippet is one line and cut at the limit', () => {
      expect(snippet('a\n  b\tc')).to.equal('a b c');
      expect(snippet('x'.repeat(70))).to.equal(`${'x'.repeat(60)}…`);
      expect(snippet('abcdef', 3)).to.equal('abc…');
    });
  });

  describe('checkXmlBody', () => {
    it('returns the local root name and the body; a bare Atom entry is wrapped in a feed', () => {
      expect(checkXmlBody('<rss version="2.0"><channel/></rss>', 'a feed')).to.deep.equal({
        root: 'rss',
        xml: '<rss version="2.0"><channel/></rss>',
      });
      const entry = checkXmlBody('<?xml version="1.0"?><entry><id>1</id></entry>', 'a feed');
      expect(entry).to.deep.equal({
        root: 'feed',
        xml: '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry></feed>',
      });
    });

    it('refuses HTML, text and malformed XML with a message that says what it got', () => {
      expect(() => checkXmlBody('<html><body/></html>', 'a feed'))
        .to.throw(SourceParseError)
        .with.property('message', 'expected a feed, got HTML (<html><body/></html>)');
      expect(() => checkXmlBody('Not Found', 'a feed')).to.throw(SourceParseError, 'expected a feed, got text');
      expect(() => checkXmlBody('<rss><channel></rss>', 'a feed')).to.throw(
        SourceParseError,
        /^expected a feed, got malformed XML \(.* at line 1\): <rss>/,
      );
    });

    it('xmlProblem tolerates a bare & but not an unclosed element', () => {
      expect(xmlProblem('<a>Q&A</a>')).to.equal(undefined);
      expect(xmlProblem('<a><b></a>')).to.be.a('string');
    });
  });

  describe('runFeedsmith and mapItems', () => {
    it('turns a document feedsmith cannot place into "expected …, got …"', () => {
      expect(() => runFeedsmith(() => parseAtomFeed('<rss/>'), 'an Atom feed', '<rss/>')).to.throw(
        SourceParseError,
        'expected an Atom feed, got an RSS feed (<rss/>)',
      );
    });

    it('skips the items whose mapper throws or returns nothing', () => {
      const item = (n: number): RecordingItem => ({
        key: `k${n}`,
        url: `https://x.example/${n}`,
        provider: 'web',
        title: '',
      });
      const mapped = mapItems([1, 2, 3, 4], (n) => {
        if (n === 2) throw new Error('bad item');
        return n === 3 ? undefined : item(n);
      });
      expect(mapped.map((i) => i.key)).to.deep.equal(['k1', 'k4']);
      expect(mapItems(undefined, () => item(0))).to.deep.equal([]);
    });
  });

  describe('item text', () => {
    it('capText trims, blanks to undefined, and never splits a surrogate pair', () => {
      expect(capText('  ')).to.equal(undefined);
      expect(capText(' short ')).to.equal('short');
      expect(capText('abcdef', 4)).to.equal('abc…');
      expect(capText('ab😀cd', 4)).to.equal('ab…');
    });

    it('normalizePlainText keeps lines, collapses spaces and blank-line runs', () => {
      expect(normalizePlainText('  a  b \r\n\r\n\r\n\tc\rd ')).to.equal('a b\n\nc\nd');
    });

    it('looksLikeHtml and descriptionOf in auto mode read markup as HTML, other text as plain', () => {
      expect(looksLikeHtml('Q&amp;A')).to.equal(true);
      expect(looksLikeHtml('1 < 2 and a <b>')).to.equal(true);
      expect(looksLikeHtml('a <-> b, R&D')).to.equal(false);
      expect(descriptionOf('<p>One</p><p>Two <a href="/x">x</a></p>', 'auto', 'https://c.example/t')).to.deep.equal({
        description: 'One\n\nTwo x',
        links: ['https://c.example/x'],
      });
      expect(descriptionOf('a <b> is not closed, see https://c.example/y.', 'text')).to.deep.equal({
        description: 'a <b> is not closed, see https://c.example/y.',
        links: ['https://c.example/y'],
      });
      expect(descriptionOf(' ', 'auto')).to.deep.equal({ description: undefined, links: [] });
    });
  });
});
