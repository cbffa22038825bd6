import { createHash } from 'node:crypto';
import type { PostStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import type { Mention, Post, PostOrigin } from './types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import type { MentionIndex } from '../mentions/mention-index.ts';
import { detectMentions } from '../mentions/detect.ts';
import { inThreadDetector, type MentionDetector } from '../mentions/detector.ts';
import { extractHtml, extractText, type PostDocument } from '../text/extract.ts';
import { canonicalUrl } from '../text/urls.ts';

export type PostServiceDeps = {
  readonly store: PostStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http: HttpClient;
  /** The main thread's index: re-scans (one store transaction) and Webmention targets use it. */
  readonly index: MentionIndex;
  /** Where `detect` and `submit` run detection. @default on this thread, over `index` */
  readonly detector?: MentionDetector | undefined;
  readonly publicUrl: string;
  /** Largest post accepted, characters of HTML/text. @default 1 MiB */
  readonly maxPostChars: number;
};

export type PostInput = {
  readonly url?: string | undefined;
  readonly title?: string | undefined;
  readonly html?: string | undefined;
  readonly text?: string | undefined;
  readonly eventId?: string | undefined;
};

export type SubmitResult = {
  readonly post: Post;
  readonly status: 'created' | 'updated' | 'unchanged';
  readonly added: readonly string[];
  readonly removed: readonly string[];
};

/** Stored post text is capped: enough to recompute mentions, never a whole site. */
const STORED_TEXT_CHARS = 200_000;

/** Recap posts: submission, fetching, rescans and the talks they mention. Blogs and Webmentions build on it. */
export class PostService {
  private readonly detector: MentionDetector;

  constructor(private readonly deps: PostServiceDeps) {
    this.detector = deps.detector ?? inThreadDetector(deps.index);
  }

  // ---- detection ----------------------------------------------------------------------------

  /**
   * Dry run: the mentions of a document, nothing stored. `offThreadOnly` for posts from anyone:
   * never detected on the event loop (see `MentionDetector`).
   */
  async detect(input: PostInput, opts: { offThreadOnly?: boolean } = {}): Promise<readonly Mention[]> {
    if (input.eventId && !(await this.deps.store.getEvent(input.eventId)))
      throw notFound('EVENT_NOT_FOUND', 'event', input.eventId);
    return this.detector.detect(this.document(input), { eventId: input.eventId, offThreadOnly: opts.offThreadOnly });
  }

  /** Reduce HTML or text to a post document, refusing oversized input with 413. */
  document(input: PostInput): PostDocument {
    const body = input.html ?? input.text;
    if (body === undefined) throw new DomainError('VALIDATION_FAILED', 'give html or text', { field: 'html' });
    if (body.length > this.deps.maxPostChars) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `post is ${body.length} characters; the limit is ${this.deps.maxPostChars}`,
        { limit: this.deps.maxPostChars },
      );
    }
    const doc = input.html !== undefined ? extractHtml(input.html, input.url) : extractText(input.text ?? '');
    return { ...doc, title: input.title ?? doc.title };
  }

  // ---- posts --------------------------------------------------------------------------------

  /** Store a post as given (or as fetched). Re-submitting changed content updates its mentions; unchanged content writes nothing. */
  async submit(
    input: PostInput,
    origin: PostOrigin = 'submitted',
    extra: { blogId?: string; publishedAt?: string; requireTalk?: string } = {},
  ): Promise<SubmitResult> {
    if (input.url) this.checkUrl(input.url);
    if (input.eventId && !(await this.deps.store.getEvent(input.eventId)))
      throw notFound('EVENT_NOT_FOUND', 'event', input.eventId);
    const doc = this.document(input);
    let mentions = await this.detector.detect(doc, { eventId: input.eventId });
    if (extra.requireTalk && !mentions.some((m) => m.talkId === extra.requireTalk)) {
      // A verified Webmention is a link to the talk page by definition.
      mentions = [
        ...mentions,
        { talkId: extra.requireTalk, confidence: 1, evidence: ['link'], snippet: input.url ?? '', start: -1, end: -1 },
      ];
    }
    const links = doc.links.map((l) => l.href);
    const text = doc.text.slice(0, STORED_TEXT_CHARS);
    const contentHash = createHash('sha256')
      .update(JSON.stringify([doc.title ?? '', text, links, input.eventId ?? '']))
      .digest('hex');
    const id = input.url ? postIdOf(input.url) : `post_${contentHash.slice(0, 16)}`;
    const now = this.deps.clock.now().toISOString();
    let existing: Post | undefined;
    let unchanged = false;
    const post = (await this.deps.store.savePost(id, (current) => {
      existing = current;
      unchanged =
        current !== undefined &&
        current.contentHash === contentHash &&
        JSON.stringify(current.mentions) === JSON.stringify(mentions);
      if (unchanged) return current;
      return {
        id,
        url: input.url,
        title: doc.title,
        text,
        links,
        contentHash,
        origin: existing?.origin ?? origin,
        blogId: extra.blogId ?? existing?.blogId,
        eventId: input.eventId ?? existing?.eventId,
        mentions,
        publishedAt: extra.publishedAt ?? existing?.publishedAt,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
    }))!;
    if (unchanged) return { post, status: 'unchanged', added: [], removed: [] };
    const before = new Set(existing?.mentions.map((m) => m.talkId) ?? []);
    const after = new Set(mentions.map((m) => m.talkId));
    return {
      post,
      status: existing ? 'updated' : 'created',
      added: [...after].filter((t) => !before.has(t)),
      removed: [...before].filter((t) => !after.has(t)),
    };
  }

  /** Fetch a page (size, time and address limits) and submit it. */
  async submitUrl(
    url: string,
    origin: PostOrigin = 'submitted',
    extra: { blogId?: string; publishedAt?: string; eventId?: string; signal?: AbortSignal } = {},
  ): Promise<SubmitResult> {
    const page = await this.fetchPage(url, extra.signal);
    return this.submit({ url, ...page, eventId: extra.eventId }, origin, extra);
  }

  /**
   * Re-detect the mentions of every stored post against the current catalogue (talks imported after
   * a post arrived). Only posts whose mentions change are written, in one commit.
   */
  async rescanAll(): Promise<{ posts: number; changed: number }> {
    const now = this.deps.clock.now().toISOString();
    let posts = 0;
    const changed = await this.deps.store.updatePosts((post) => {
      posts += 1;
      const doc: PostDocument = {
        title: post.title,
        text: post.text,
        links: post.links.map((href) => ({ href, start: -1, end: -1 })),
      };
      const fresh = detectMentions(doc, this.deps.index, {
        eventId: post.eventId && this.deps.index.events.has(post.eventId) ? post.eventId : undefined,
      });
      // Links verified by a Webmention stay even if the text alone would not find them.
      const kept = post.mentions.filter(
        (m) => m.start < 0 && m.evidence.includes('link') && !fresh.some((f) => f.talkId === m.talkId),
      );
      const mentions = [...fresh, ...kept];
      return JSON.stringify(mentions) !== JSON.stringify(post.mentions)
        ? { ...post, mentions, updatedAt: now }
        : undefined;
    });
    return { posts, changed };
  }

  async listPosts(): Promise<readonly Post[]> {
    return [...(await this.deps.store.listPosts())].sort(
      (a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id),
    );
  }

  async getPost(id: string): Promise<Post> {
    const post = await this.deps.store.getPost(id);
    if (!post) throw notFound('POST_NOT_FOUND', 'post', id);
    return post;
  }

  async deletePost(id: string): Promise<void> {
    if (!(await this.deps.store.deletePost(id))) throw notFound('POST_NOT_FOUND', 'post', id);
  }

  /** Recaps that mention a talk, most confident first. */
  async postsForTalk(talkRef: string): Promise<{ post: Post; mention: Mention }[]> {
    const talk = await this.deps.store.findTalk(talkRef);
    if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', talkRef);
    const out: { post: Post; mention: Mention }[] = [];
    for (const post of await this.deps.store.postsMentioningTalk(talk.id)) {
      const mention = post.mentions.find((m) => m.talkId === talk.id);
      if (mention) out.push({ post, mention });
    }
    return out.sort((a, b) => b.mention.confidence - a.mention.confidence || a.post.id.localeCompare(b.post.id));
  }

  /** Fetch a page to read as a post: size, time and address limits; HTML or text only. */
  async fetchPage(url: string, signal?: AbortSignal): Promise<{ html?: string; text?: string }> {
    let res;
    try {
      res = await this.deps.http.get({
        url,
        accept: 'text/html, application/xhtml+xml, text/plain;q=0.8, text/markdown;q=0.8',
        signal,
      });
    } catch (err) {
      if (err instanceof FetchError) {
        if (err.kind === 'too-large') throw new DomainError('PAYLOAD_TOO_LARGE', err.message, { url });
        if (err.kind === 'blocked' || err.kind === 'invalid-url')
          throw new DomainError('URL_NOT_ALLOWED', err.message, { url });
        if (err.kind === 'gone') throw err;
        throw new DomainError('UNPROCESSABLE', err.message, { url, kind: err.kind }, { cause: err });
      }
      throw err;
    }
    if (res.status === 'not-modified') throw new DomainError('UNPROCESSABLE', `GET ${url}: unexpected 304`, { url });
    const type = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'text/html' || type === 'application/xhtml+xml') return { html: res.body };
    if (type === 'text/plain' || type === 'text/markdown' || type === 'text/x-markdown') return { text: res.body };
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `GET ${url}: expected an HTML or text page, got ${type || 'no content type'}`,
      { url, contentType: type || null },
    );
  }

  /** Refuse URLs the outbound client would refuse (scheme, private addresses), as a validation error. */
  checkUrl(url: string): void {
    try {
      this.deps.http.checkUrl(url);
    } catch (err) {
      if (err instanceof FetchError)
        throw new DomainError(err.kind === 'blocked' ? 'URL_NOT_ALLOWED' : 'VALIDATION_FAILED', err.message, {
          field: 'url',
        });
      throw err;
    }
  }
}

/** Stable post id from its URL, so a re-submission or a repeated Webmention updates the same post. */
export function postIdOf(url: string): string {
  return `post_${createHash('sha256').update(canonicalUrl(url)).digest('hex').slice(0, 16)}`;
}
