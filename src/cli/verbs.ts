import { UsageError } from './usage-error.ts';
import { copyStore } from '../store/copy-store.ts';
import { describeTarget, openPostgresStore } from '../store/open.ts';
import type { Services } from '../app/services.ts';
import type { PollRun } from '../recordings/poller.ts';
import { pollRecordings, pollResult, type JobResult, type PollCounts } from '../../jobs/poll-recordings.ts';
import { mentionDtos } from '../http/dto.ts';
import { sharedVerb, type CliVerb } from './verb.ts';

export { UsageError };
export type { CliContext, CliVerb } from './verb.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const enc = encodeURIComponent;

type Source = Awaited<ReturnType<Services['sources']['addSource']>>;
type Submitted = Awaited<ReturnType<Services['posts']['submitUrl']>>;
type Rescan = Awaited<ReturnType<Services['posts']['rescanAll']>>;
type Blog = Awaited<ReturnType<Services['blogs']['addBlog']>>;
type Crawl = Awaited<ReturnType<Services['blogs']['crawl']>>;
type Deliveries = Awaited<ReturnType<Services['deliverer']['runOnce']>>;

/** `--once` verbs (poll, crawl, deliver) run one round and exit: the server does them on its own. */
const needOnce = (verb: string, why: string) => (_args: readonly string[], values: Record<string, unknown>) => {
  if (values.once !== true)
    throw new UsageError(`${verb} runs once and exits: use \`talkreel ${verb} --once\` (${why})`);
};

/** Verbs beyond the catalogue core: recording sources and polling. */
export const cliVerbs: CliVerb[] = [
  sharedVerb({
    name: 'sources add',
    usage:
      'sources add --event <id> --kind youtube|mediaccc|feed --url <url> [--schedule <cron>]   register a recording source',
    options: {
      event: { type: 'string' },
      kind: { type: 'string' },
      url: { type: 'string' },
      schedule: { type: 'string' },
    },
    input(_args, values) {
      const [event, kind, url] = [str(values.event), str(values.kind), str(values.url)];
      if (!event || !kind || !url) throw new UsageError('sources add needs --event, --kind and --url');
      return { event, source: { kind, url, schedule: str(values.schedule) } };
    },
    local: (services, { event, source }) => services.sources.addSource(event, source),
    remote: async (call, { event, source }) =>
      (await call('POST', `/api/events/${enc(event)}/sources`, { json: source })) as Source,
    human: (source) =>
      `added ${source.kind} source ${source.id} to ${source.eventId}: ${source.url} (${source.schedule})`,
  }),
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
  sharedVerb<void, JobResult<PollCounts>>({
    name: 'poll',
    usage: 'poll --once                                       poll every source now, print a summary per source',
    options: { once: { type: 'boolean' } },
    input: needOnce('poll', 'the server polls on its cron schedule'),
    local: (services) => pollRecordings(services, { selection: { kind: 'all' } }),
    remote: async (call) => pollResult((await call('POST', '/api/sources/poll')) as PollRun),
    human: (result) =>
      result.status === 'skipped'
        ? `skipped: ${result.reason}`
        : [
            ...(result.results ?? []).map(
              (r) =>
                `${r.sourceId}\t${r.eventId}\t${r.status}${r.error ? ` (${r.error})` : ''}\titems ${r.items}, matched ${r.matched}, newly published ${r.published.length}, unmatched ${r.unmatched}`,
            ),
            `${result.counts.sources} sources: ${result.counts.ok} ok, ${result.counts.notModified} not modified, ${result.counts.failed} failed; ${result.counts.published} talks newly published`,
          ].join('\n'),
    exitCode: (result) =>
      result.status === 'skipped' || (result.counts.failed > 0 && result.counts.failed === result.counts.sources)
        ? 1
        : 0,
  }),
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
  sharedVerb({
    name: 'posts add',
    usage: 'posts add <url> [--event <id>]                    fetch a recap post and link it to the talks it mentions',
    options: { event: { type: 'string' } },
    input(args, values) {
      const url = args[0];
      if (!url) throw new UsageError('posts add needs a URL');
      return { url, event: str(values.event) };
    },
    local: (services, { url, event }) => services.posts.submitUrl(url, 'submitted', { eventId: event }),
    remote: async (call, input) => (await call('POST', '/api/posts', { json: input })) as Submitted,
    human: (r) =>
      `${r.status} ${r.post.id}: ${r.post.title ?? r.post.url ?? ''}\n${r.post.mentions.map((m) => `  ${m.confidence.toFixed(2)}\t${m.talkId}\t[${m.evidence.join('+')}]`).join('\n') || '  no mentions'}`,
  }),
  sharedVerb({
    name: 'posts rescan',
    usage:
      'posts rescan                                      re-detect mentions of every post against the current catalogue',
    options: {},
    input: () => undefined,
    local: (services) => services.posts.rescanAll(),
    remote: async (call) => (await call('POST', '/api/posts/rescan')) as Rescan,
    human: (r) => `rescanned ${r.posts} posts, ${r.changed} changed`,
  }),
  sharedVerb({
    name: 'blogs add',
    usage: "blogs add <feedUrl> [--schedule <cron>]           register a blog's feed to crawl for recaps",
    options: { schedule: { type: 'string' } },
    input(args, values) {
      const feedUrl = args[0];
      if (!feedUrl) throw new UsageError('blogs add needs a feed URL');
      return { feedUrl, schedule: str(values.schedule) };
    },
    local: (services, input) => services.blogs.addBlog(input),
    remote: async (call, input) => (await call('POST', '/api/blogs', { json: input })) as Blog,
    human: (blog) => `added blog ${blog.id}: ${blog.feedUrl} (${blog.schedule})`,
  }),
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
  sharedVerb<void, Deliveries>({
    name: 'deliver',
    usage:
      'deliver --once                                    send every due notification now (webhooks, mails, Webmentions)',
    options: { once: { type: 'boolean' } },
    input: needOnce('deliver', 'the server delivers on its own'),
    local: (services) => services.deliverer.runOnce(),
    remote: async (call) => (await call('POST', '/api/deliveries/run')) as Deliveries,
    human: (counts) =>
      `attempted ${counts.attempted}: delivered ${counts.delivered}, retrying ${counts.retrying}, failed ${counts.failed}`,
  }),
  sharedVerb<void, Crawl>({
    name: 'crawl',
    usage: 'crawl --once                                      crawl every blog feed now and ingest new posts',
    options: { once: { type: 'boolean' } },
    input: needOnce('crawl', 'the server crawls on its cron schedule'),
    local: (services) => services.blogs.crawl({}),
    remote: async (call) => (await call('POST', '/api/blogs/crawl')) as Crawl,
    human: (result) =>
      result.status === 'skipped'
        ? `skipped: ${result.reason}`
        : result.blogs
            .map(
              (b) =>
                `${b.blogId}\t${b.status}${b.error ? ` (${b.error})` : ''}\titems ${b.items}, ingested ${b.ingested}`,
            )
            .join('\n') || 'no blogs',
    exitCode: (result) =>
      result.status === 'skipped' || (result.blogs.length > 0 && result.blogs.every((b) => b.status === 'failed'))
        ? 1
        : 0,
  }),
  {
    name: 'migrate',
    usage: 'migrate --to <postgres-url> | --from <postgres-url>  copy this store into PostgreSQL (or back), verified',
    writes: true,
    options: { to: { type: 'string' }, from: { type: 'string' } },
    remoteRefusal:
      'migrate copies the whole store at once, so it cannot run beside a server writing the lowdb file: ' +
      'stop the server, run migrate, then start the server on the store you migrated to ' +
      '(on PostgreSQL there is no data lock: migrate runs beside a running server)',
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
