import { expect } from 'chai';
import {
  embedUrlOf,
  mediaCccSlug,
  providerOf,
  recordingKeyOf,
  vimeoVideoId,
  youtubeVideoId,
} from '../../../src/text/video-urls.ts';

describe('video URLs', () => {
  describe('youtubeVideoId', () => {
    const table: [string, string | undefined][] = [
      ['https://www.youtube.com/watch?v=vidSegments01', 'vidSegments01'],
      ['https://m.youtube.com/watch?v=abc123XYZ_0&t=95s', 'abc123XYZ_0'],
      ['https://youtu.be/HavIce2013x', 'HavIce2013x'],
      ['https://youtu.be/HavIce2013x?t=10', 'HavIce2013x'],
      ['https://www.youtube.com/embed/abc123def45', 'abc123def45'],
      ['https://www.youtube-nocookie.com/embed/abc123def45', 'abc123def45'],
      ['https://www.youtube.com/shorts/abc123def45?feature=share', 'abc123def45'],
      ['https://www.youtube.com/live/abc123def45', 'abc123def45'],
      ['https://www.youtube.com/v/jllA2b3C4d5?version=3', 'jllA2b3C4d5'],
      ['https://www.youtube.com/channel/UCabcdefghijkl', undefined],
      ['https://youtu.be/', undefined],
      ['https://notyoutube.com/watch?v=abc123def45', undefined],
      ['not a url', undefined],
    ];
    for (const [url, id] of table)
      it(`${url} → ${id}`, () => {
        expect(youtubeVideoId(url)).to.equal(id);
      });
  });

  it('vimeoVideoId reads vimeo.com/<id> and the player URL, ids of five digits or more', () => {
    expect(vimeoVideoId('https://vimeo.com/81234567')).to.equal('81234567');
    expect(vimeoVideoId('https://player.vimeo.com/video/81234567?h=1')).to.equal('81234567');
    expect(vimeoVideoId('https://vimeo.com/oiaparis')).to.equal(undefined);
    expect(vimeoVideoId('https://vimeo.com/222')).to.equal(undefined);
    expect(vimeoVideoId('https://example.org/81234567')).to.equal(undefined);
  });

  it('mediaCccSlug reads /v/<slug> on media.ccc.de only, as written in the path', () => {
    expect(mediaCccSlug('https://media.ccc.de/v/36c3-10526-title')).to.equal('36c3-10526-title');
    expect(mediaCccSlug('https://www.media.ccc.de/v/36c3-1-x/oembed')).to.equal('36c3-1-x');
    expect(mediaCccSlug('https://media.ccc.de/v/Some%20Slug')).to.equal('Some%20Slug');
    expect(mediaCccSlug('https://media.ccc.de/v/')).to.equal(undefined);
    expect(mediaCccSlug('https://media.ccc.de/c/36c3')).to.equal(undefined);
    expect(mediaCccSlug('https://media.ccc.de.example/v/x')).to.equal(undefined);
  });

  it('recordingKeyOf gives one key to every spelling of a video, and the URL without fragment otherwise', () => {
    for (const url of [
      'https://www.youtube.com/watch?v=vidSegments01',
      'https://youtu.be/vidSegments01',
      'https://www.youtube.com/watch?v=vidSegments01&t=95s#x',
      'https://www.youtube-nocookie.com/embed/vidSegments01',
    ])
      expect(recordingKeyOf(url), url).to.equal('youtube:vidSegments01');
    expect(recordingKeyOf('https://player.vimeo.com/video/81234567')).to.equal('vimeo:81234567');
    expect(recordingKeyOf('https://media.ccc.de/v/36c3-1-x')).to.equal('mediaccc:36c3-1-x');
    expect(recordingKeyOf('https://video.fosdem.org/2014/x.webm#t=1')).to.equal(
      'url:https://video.fosdem.org/2014/x.webm',
    );
    expect(recordingKeyOf('not a url')).to.equal('url:not a url');
  });

  it('providerOf names the provider by host, podcasts by audio extension', () => {
    expect(providerOf('https://youtu.be/x')).to.equal('youtube');
    expect(providerOf('https://vimeo.com/channels/x')).to.equal('vimeo');
    expect(providerOf('https://cdn.media.ccc.de/x.mp4')).to.equal('mediaccc');
    expect(providerOf('https://video.fosdem.org/2014/x.webm')).to.equal('fosdem');
    expect(providerOf('https://pod.example/ep.mp3?x=1')).to.equal('podcast');
    expect(providerOf('https://example.org/talk')).to.equal('web');
    expect(providerOf('nonsense')).to.equal('web');
  });

  it('embedUrlOf gives the player of every URL with a provider video key', () => {
    expect(embedUrlOf('https://www.youtube.com/watch?v=vidSegments01&t=5')).to.equal(
      'https://www.youtube-nocookie.com/embed/vidSegments01',
    );
    expect(embedUrlOf('https://youtu.be/vidSegments01')).to.equal(
      'https://www.youtube-nocookie.com/embed/vidSegments01',
    );
    expect(embedUrlOf('https://vimeo.com/81234567')).to.equal('https://player.vimeo.com/video/81234567');
    expect(embedUrlOf('https://media.ccc.de/v/36c3-1-x')).to.equal('https://media.ccc.de/v/36c3-1-x/oembed');
    expect(embedUrlOf('https://video.fosdem.org/2014/x.webm')).to.equal(undefined);
    expect(embedUrlOf('nonsense')).to.equal(undefined);
  });
});
