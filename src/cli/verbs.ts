import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.ts';
import { copyStore } from '../store/copy-store.ts';
import { describeTarget, openPostgresStore } from '../store/open.ts';
import type { Services } from '../app/services.ts';
import { pollRecordings } from '../../jobs/poll-recordings.ts';
import { mentionDtos } from '../http/dto.ts';

export type CliContext = {
  readonly services: Services;
  readonly args: readonly string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly json: boolean;
  /** Print `data` as JSON with --json, otherwise the human text. */
  print(data: unknown, human: () => string): void;
};

/** One `talkreel` command. `name` may be two words (`sources add`). */
export { UsageError };

export type CliVerb = {
  readonly name: string;
  /** One line for --help. */
  readonly usage: string;
  /** Needs the data directory's write lock. */
  readonly writes: boolean;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext): Promise<number | void>;
  /**
   * The same verb through a running server's HTTP API, used when the server holds the data
   * directory's lock (needs TALKREEL_ADMIN_TOKEN and TALKREEL_PUBLIC_URL pointing at it).
   */
  remote?(ctx: RemoteContext): Promise<number | void>;
};

/** What a verb run over HTTP gets: the admin-authenticated call, its arguments, and output. */
export type RemoteContext = {
  call(
    method: string,
    path: string,
    body?: { readonly text: string; readonly type: string },
  ): Promise<{ status: number; body: unknown }>;
  readonly args: readonly string[];
  readonly values: Record<string, unknown>;
  print(data: unknown, human: () => string): void;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Verbs beyond the catalogue core: recording sources and polling. */
export const cliVerbs: CliVerb[] = [
  {
    name: 'sources add',
    usage:
      'sources add --event <id> --kind youtube|mediaccc|feed --url <url> [--schedule <cron>]   register a recording source',
    writes: true,
    options: {
      event: { type: 'string' },
      kind: { type: 'string' },
      url: { type: 'string' },
      schedule: { type: 'string' },
    },
    async run({ services, values, print }) {
      const event = str(values.event);
      const kind = str(values.kind);
      const url = str(values.url);
      if (!event || !kind || !url) throw new UsageError('sources add needs --event, --kind and --url');
      const source = await services.sources.addSource(event, { kind, url, schedule: str(values.schedule) });
      print(
        source,
        () => `added ${source.kind} source ${source.id} to ${source.eventId}: ${source.url} (${source.schedule})`,
      );
    },
  },
  {
    name: 'sources',
    usage: 'sources [--event <id>]                            list recording sources with their health',
    writes: false,
    options: { event: { type: 'string' } },
    async run({ services, values, print }) {
      const event = str(values.event);
      const list = (await services.sources.listSources()).filter((s) => !event || s.eventId === event);
      print(list, () =>
        list.length === 0
          ? 'no sources'
          : list
              .map((s) => {
                const h = s.health;
                const state =
                  h.consecutiveFailures > 0
                    ? `FAILING x${h.consecutiveFailures}: ${h.lastError?.message ?? ''}`
                    : h.lastSuccessAt
                      ? `ok ${h.lastSuccessAt}`
                      : 'never polled';
                return `${s.id}\t${s.eventId}\t${s.kind}\t${s.url}\t${h.itemsMatched}/${h.itemsSeen} matched\t${state}`;
              })
              .join('\n'),
      );
    },
  },
  {
    name: 'poll',
    usage: 'poll --once                                       poll every source now, print a summary per source',
    writes: true,
    options: { once: { type: 'boolean' } },
    async remote({ call, values, print }) {
      if (values.once !== true) throw new UsageError('poll runs once and exits: use `talkreel poll --once`');
      const res = await call('POST', '/api/sources/poll');
      print(res.body, () => `polled through the running server: ${JSON.stringify(res.body)}`);
      return res.status === 200 ? 0 : 1;
    },
    async run({ services, values, print }) {
      if (values.once !== true)
        throw new UsageError(
          'poll runs once and exits: use `talkreel poll --once` (the server polls on its cron schedule)',
        );
      const result = await pollRecordings(services, { selection: { kind: 'all' } });
      if (result.status === 'skipped') {
        print(result, () => `skipped: ${result.reason}`);
        return 1;
      }
      print(result, () =>
        [
          ...(result.results ?? []).map(
            (r) =>
              `${r.sourceId}\t${r.eventId}\t${r.status}${r.error ? ` (${r.error})` : ''}\titems ${r.items}, matched ${r.matched}, newly published ${r.published.length}, unmatched ${r.unmatched}`,
          ),
          `${result.counts.sources} sources: ${result.counts.ok} ok, ${result.counts.notModified} not modified, ${result.counts.failed} failed; ${result.counts.published} talks newly published`,
        ].join('\n'),
      );
      return result.counts.failed > 0 && result.counts.failed === result.counts.sources ? 1 : 0;
    },
  },
  {
    name: 'unmatched',
    usage: 'unmatched --event <id>                            recordings no talk could be matched to, with candidates',
    writes: false,
    options: { event: { type: 'string' } },
    async run({ services, values, print }) {
      const event = str(values.event);
      if (!event) throw new UsageError('unmatched needs --event <id>');
      const items = await services.sources.listUnmatched(event);
      print(items, () =>
        items.length === 0
          ? 'no unmatched recordings'
          : items
              .map(
                (u) =>
                  `${u.url}\t"${u.title}"\t${u.reason}${u.candidates.length ? `\n    candidates: ${u.candidates.map((c) => `${c.talkId} (${c.score})`).join(', ')}` : ''}`,
              )
              .join('\n'),
      );
    },
  },
];

/** Verbs of recap posts: mention detection, submission, blogs and crawling. */
cliVerbs.push(
  {
    name: 'mentions',
    usage: 'mentions <file|-> [--event <id>]                  the talks a post (HTML, Markdown or text) mentions',
    writes: false,
    options: { event: { type: 'string' } },
    async run({ services, args, values, print }) {
      const file = args[0];
      if (!file) throw new UsageError('mentions needs a file (or - for standard input)');
      const { readInput } = await import('./input.ts');
      const body = await readInput(file);
      const isHtml = /\.x?html?$/i.test(file) || /^\s*(<!doctype html|<html|<article|<body|<div|<p[\s>])/i.test(body);
      const mentions = await services.posts.detect({
        ...(isHtml ? { html: body } : { text: body }),
        eventId: str(values.event),
      });
      const rows = await mentionDtos(mentions, services.catalogue, services.config.publicUrl);
      print(rows, () =>
        rows.length === 0
          ? 'no mentions'
          : rows
              .map(
                (m) =>
                  `${m.confidence.toFixed(2)}\t${m.talkId}\t${m.title ?? ''}\t[${m.evidence.join('+')}] "${m.snippet.replace(/\s+/g, ' ').slice(0, 80)}" @${m.start}-${m.end}`,
              )
              .join('\n'),
      );
    },
  },
  {
    name: 'posts add',
    usage: 'posts add <url> [--event <id>]                    fetch a recap post and link it to the talks it mentions',
    writes: true,
    options: { event: { type: 'string' } },
    async run({ services, args, values, print }) {
      const url = args[0];
      if (!url) throw new UsageError('posts add needs a URL');
      const r = await services.posts.submitUrl(url, 'submitted', { eventId: str(values.event) });
      print(
        r,
        () =>
          `${r.status} ${r.post.id}: ${r.post.title ?? r.post.url ?? ''}\n${r.post.mentions.map((m) => `  ${m.confidence.toFixed(2)}\t${m.talkId}\t[${m.evidence.join('+')}]`).join('\n') || '  no mentions'}`,
      );
    },
  },
  {
    name: 'posts rescan',
    usage:
      'posts rescan                                      re-detect mentions of every post against the current catalogue',
    writes: true,
    options: {},
    async run({ services, print }) {
      const r = await services.posts.rescanAll();
      print(r, () => `rescanned ${r.posts} posts, ${r.changed} changed`);
    },
  },
  {
    name: 'blogs add',
    usage: "blogs add <feedUrl> [--schedule <cron>]           register a blog's feed to crawl for recaps",
    writes: true,
    options: { schedule: { type: 'string' } },
    async run({ services, args, values, print }) {
      const feedUrl = args[0];
      if (!feedUrl) throw new UsageError('blogs add needs a feed URL');
      const blog = await services.blogs.addBlog({ feedUrl, schedule: str(values.schedule) });
      print(blog, () => `added blog ${blog.id}: ${blog.feedUrl} (${blog.schedule})`);
    },
  },
  {
    name: 'blogs',
    usage: 'blogs                                             list blogs with their crawl health',
    writes: false,
    options: {},
    async run({ services, print }) {
      const blogs = await services.blogs.listBlogs();
      print(blogs, () =>
        blogs.length === 0
          ? 'no blogs'
          : blogs
              .map(
                (b) =>
                  `${b.id}\t${b.feedUrl}\t${b.health.consecutiveFailures > 0 ? `FAILING x${b.health.consecutiveFailures}: ${b.health.lastError?.message ?? ''}` : (b.health.lastSuccessAt ?? 'never crawled')}`,
              )
              .join('\n'),
      );
    },
  },
  {
    name: 'deliver',
    usage:
      'deliver --once                                    send every due notification now (webhooks, mail, Webmentions)',
    writes: true,
    options: { once: { type: 'boolean' } },
    async run({ services, values, print }) {
      if (values.once !== true)
        throw new UsageError(
          'deliver runs once and exits: use `talkreel deliver --once` (the server delivers on its own)',
        );
      const counts = await services.deliverer.runOnce();
      print(
        counts,
        () =>
          `attempted ${counts.attempted}: delivered ${counts.delivered}, retrying ${counts.retrying}, failed ${counts.failed}`,
      );
      return 0;
    },
  },
  {
    name: 'crawl',
    usage: 'crawl --once                                      crawl every blog feed now and ingest new posts',
    writes: true,
    options: { once: { type: 'boolean' } },
    async remote({ call, values, print }) {
      if (values.once !== true) throw new UsageError('crawl runs once and exits: use `talkreel crawl --once`');
      const res = await call('POST', '/api/blogs/crawl');
      print(res.body, () => `crawled through the running server: ${JSON.stringify(res.body)}`);
      return res.status === 200 ? 0 : 1;
    },
    async run({ services, values, print }) {
      if (values.once !== true) throw new UsageError('crawl runs once and exits: use `talkreel crawl --once`');
      const result = await services.blogs.crawl({});
      if (result.status === 'skipped') {
        print(result, () => `skipped: ${result.reason}`);
        return 1;
      }
      print(
        result,
        () =>
          result.blogs
            .map(
              (b) =>
                `${b.blogId}\t${b.status}${b.error ? ` (${b.error})` : ''}\titems ${b.items}, ingested ${b.ingested}`,
            )
            .join('\n') || 'no blogs',
      );
      return result.blogs.length > 0 && result.blogs.every((b) => b.status === 'failed') ? 1 : 0;
    },
  },
  {
    name: 'migrate',
    usage: 'migrate --to <postgres-url> | --from <postgres-url>  copy this store into PostgreSQL (or back), verified',
    writes: true,
    options: { to: { type: 'string' }, from: { type: 'string' } },
    async run({ services, values, print }) {
      const to = str(values.to);
      const from = str(values.from);
      if ((to === undefined) === (from === undefined))
        throw new UsageError('migrate needs exactly one of --to <postgres-url> or --from <postgres-url>');
      const url = (to ?? from)!;
      if (!/^postgres(ql)?:\/\/./i.test(url))
        throw new UsageError('the URL must start with postgres:// or postgresql://');
      const other = await openPostgresStore(url, { logger: services.logger });
      try {
        const report = to ? await copyStore(services.store, other) : await copyStore(other, services.store);
        const target = to ? `PostgreSQL ${describeTarget(url)}` : `the ${services.store.kind} store`;
        print(report, () =>
          [
            `${report.ok ? 'copied to' : 'INCOMPLETE copy to'} ${target}; verified:`,
            ...Object.entries(report.counts).map(([name, c]) => `  ${name.padEnd(12)} ${c.verified}/${c.source}`),
          ].join('\n'),
        );
        return report.ok ? 0 : 1;
      } finally {
        await other.close();
      }
    },
  },
);
