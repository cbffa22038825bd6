import type { ParseArgsConfig } from 'node:util';
import type { Services } from './services.ts';
import { pollRecordings } from '../jobs/poll-recordings.ts';

export type CliContext = {
  readonly services: Services;
  readonly args: readonly string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly json: boolean;
  /** Print `data` as JSON with --json, otherwise the human text. */
  print(data: unknown, human: () => string): void;
};

/** One `talkreel` command. `name` may be two words (`sources add`). */
export type CliVerb = {
  readonly name: string;
  /** One line for --help. */
  readonly usage: string;
  /** Needs the data directory's write lock. */
  readonly writes: boolean;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext): Promise<number | void>;
};

/** Thrown for a usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Verbs beyond the catalogue core: recording sources and polling. */
export const cliVerbs: CliVerb[] = [
  {
    name: 'sources add',
    usage: 'sources add --event <id> --kind youtube|mediaccc|feed --url <url> [--schedule <cron>]   register a recording source',
    writes: true,
    options: { event: { type: 'string' }, kind: { type: 'string' }, url: { type: 'string' }, schedule: { type: 'string' } },
    async run({ services, values, print }) {
      const event = str(values.event);
      const kind = str(values.kind);
      const url = str(values.url);
      if (!event || !kind || !url) throw new UsageError('sources add needs --event, --kind and --url');
      const source = await services.sources.addSource(event, { kind, url, schedule: str(values.schedule) });
      print(source, () => `added ${source.kind} source ${source.id} to ${source.eventId}: ${source.url} (${source.schedule})`);
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
                const state = h.consecutiveFailures > 0 ? `FAILING x${h.consecutiveFailures}: ${h.lastError?.message ?? ''}` : h.lastSuccessAt ? `ok ${h.lastSuccessAt}` : 'never polled';
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
    async run({ services, values, print }) {
      if (values.once !== true) throw new UsageError('poll runs once and exits: use `talkreel poll --once` (the server polls on its cron schedule)');
      const result = await pollRecordings(services, { selection: { kind: 'all' } });
      if (result.status === 'skipped') {
        print(result, () => `skipped: ${result.reason}`);
        return 1;
      }
      print(result, () =>
        [
          ...(result.results ?? []).map(
            (r) => `${r.sourceId}\t${r.eventId}\t${r.status}${r.error ? ` (${r.error})` : ''}\titems ${r.items}, matched ${r.matched}, newly published ${r.published.length}, unmatched ${r.unmatched}`,
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
              .map((u) => `${u.url}\t"${u.title}"\t${u.reason}${u.candidates.length ? `\n    candidates: ${u.candidates.map((c) => `${c.talkId} (${c.score})`).join(', ')}` : ''}`)
              .join('\n'),
      );
    },
  },
];
