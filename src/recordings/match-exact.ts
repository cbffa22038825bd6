import type { MatchInfo, Talk } from '../catalogue/types.ts';
import { safeDecode } from '../catalogue/ids.ts';
import { canonicalUrl } from '../text/urls.ts';
import { mediaCccSlug } from '../text/video-urls.ts';
import type { EventMatchContext } from './match-context.ts';
import type { RecordingItem } from './source.ts';

/**
 * Matching step 1, exact identifiers, in order: schedule guid; a talk's schedule page, a known
 * recording URL, a Talkreel `/t/<id>` link or a media.ccc.de `/v/<slug>` link among the item's
 * URLs; the provider slug. A talk no longer in the schedule still matches, saying so.
 */
export function matchExact(item: RecordingItem, ctx: EventMatchContext): { talk: Talk; match: MatchInfo } | undefined {
  const exact = (talk: Talk | undefined, method: MatchInfo['method'], evidence: string) =>
    talk && !talk.removedFromScheduleAt
      ? { talk, match: { method, confidence: 1, evidence: [evidence] } }
      : talk
        ? { talk, match: { method, confidence: 1, evidence: [evidence, 'talk no longer in the schedule'] } }
        : undefined;

  if (item.guid) {
    const hit = exact(ctx.byGuid.get(item.guid.toLowerCase()), 'guid', `schedule guid ${item.guid}`);
    if (hit) return hit;
  }
  const urls = [item.url, ...(item.links ?? [])];
  for (const url of urls) {
    const hit = exact(ctx.byUrl.get(canonicalUrl(url)), 'id-in-url', `link ${url}`);
    if (hit) return hit;
    const own =
      ctx.publicUrl && url.startsWith(`${ctx.publicUrl}/t/`)
        ? safeDecode(url.slice(ctx.publicUrl.length + 3).split(/[/?#]/)[0] ?? '')
        : undefined;
    if (own) {
      const t = ctx.talks.get(own) ?? [...ctx.talks.values()].find((x) => x.aliases.includes(own));
      const h = exact(t, 'id-in-url', `Talkreel link ${url}`);
      if (h) return h;
    }
    const slug = mediaCccSlug(url)?.toLowerCase();
    if (slug) {
      const h = exact(ctx.bySlug.get(slug) ?? talkBySlugId(slug, ctx), 'id-in-url', `media.ccc.de link ${url}`);
      if (h) return h;
    }
  }
  if (item.slug) {
    const h = exact(
      ctx.bySlug.get(item.slug.toLowerCase()) ?? talkBySlugId(item.slug.toLowerCase(), ctx),
      'slug',
      `slug ${item.slug}`,
    );
    if (h) return h;
  }
  return undefined;
}

/**
 * The schedule id inside a c3voc-style slug `<acronym>-<id>-<title words>`, trusted only when the
 * slug starts with this event's acronym (numeric ids repeat across events).
 */
function talkBySlugId(slug: string, ctx: EventMatchContext): Talk | undefined {
  const acronym = ctx.event.acronym?.toLowerCase();
  const candidates = [acronym, ctx.event.id.toLowerCase()].filter((a): a is string => Boolean(a));
  for (const prefix of candidates) {
    if (!slug.startsWith(`${prefix}-`)) continue;
    const id = /^(\d+)(?:-|$)/.exec(slug.slice(prefix.length + 1))?.[1];
    if (id) return ctx.byScheduleId.get(id);
  }
  return undefined;
}
