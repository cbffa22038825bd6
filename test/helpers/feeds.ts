import { escapeHtml } from '../../src/http/html.ts';

export type VideoEntry = { id: string; title: string; description?: string; published?: string };

/** A YouTube channel feed (Atom + yt: + media:) with the given videos. */
export function youtubeFeed(entries: readonly VideoEntry[], channel = 'UCtalkreelTestChannel000'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=${channel}"/>
 <id>yt:channel:${channel}</id>
 <yt:channelId>${channel}</yt:channelId>
 <title>Conference Videos</title>
 <author><name>Conference Videos</name><uri>https://www.youtube.com/channel/${channel}</uri></author>
 <published>2013-01-01T00:00:00+00:00</published>
${entries
  .map(
    (e) => ` <entry>
  <id>yt:video:${e.id}</id>
  <yt:videoId>${e.id}</yt:videoId>
  <yt:channelId>${channel}</yt:channelId>
  <title>${escapeHtml(e.title)}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=${e.id}"/>
  <author><name>Conference Videos</name></author>
  <published>${e.published ?? '2014-01-10T10:00:00+00:00'}</published>
  <updated>${e.published ?? '2014-01-10T10:00:00+00:00'}</updated>
  <media:group>
   <media:title>${escapeHtml(e.title)}</media:title>
   <media:content url="https://www.youtube.com/v/${e.id}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/${e.id}/hqdefault.jpg" width="480" height="360"/>
   <media:description>${escapeHtml(e.description ?? '')}</media:description>
  </media:group>
 </entry>`,
  )
  .join('\n')}
</feed>
`;
}

/** The demo event's three recordings plus unrelated videos, titles decorated as channels do. */
export const DEMO_VIDEOS: readonly VideoEntry[] = [
  {
    id: 'vidSegments01',
    title: 'Mark McClain - From Segments to Services, a Dive into OpenStack Networking | OpenStack in Action 4',
    description: 'Neutron PTL Mark McClain on OpenStack networking. Recorded in Paris.',
  },
  {
    id: 'vidHavana0002',
    title: 'Havana to Icehouse (OpenStack in Action Paris 2013)',
    description: 'Thierry Carrez, release manager, reviews the Havana cycle.',
  },
  {
    id: 'vidCormier003',
    title: 'Keynote: The Open Cloud - Why Openness Wins — Paul Cormier, Red Hat',
    description: 'Opening keynote.',
  },
  { id: 'vidUnrelated4', title: 'Cooking with cast iron: seasoning explained', description: 'Not a conference talk.' },
  { id: 'vidUnrelated5', title: 'Kubernetes networking deep dive', description: 'A different conference entirely.' },
  {
    id: 'vidUnrelated6',
    title: 'Highlights reel: OpenStack in Action 4',
    description: 'Two minutes of the best moments of the day.',
  },
];
