import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { createServices, type Services } from '../app/services.ts';
import { DomainError } from '../platform/errors.ts';
import { StoreCorruptError, StoreLockedError, StoreUnavailableError } from '../store/errors.ts';
import { lookupResultDto, recordingUrlOf } from '../http/dto.ts';
import { cliVerbs, UsageError } from './verbs.ts';
import { sharedVerb, type CliContext, type CliVerb, type Print } from './verb.ts';
import { readInput } from './input.ts';
import { remoteCall, RemoteError, ServerUnreachable, type RemoteCall } from './remote.ts';
import { lookupTalks } from '../search/lookup.ts';
import type { ImportReport } from '../schedules/import.ts';

export { UsageError };

const USAGE = `usage: talkreel <command> [options]

catalogue
  import <file> [--event <id>] [--format xml|json]   import a frab schedule.xml or c3voc/pretalx schedule.json
  events                                             list events
  talks [--event <id>]                               list talks
  lookup <query> [--event <id>] [--limit n]          fuzzy lookup of a talk
${cliVerbs.map((v) => `  ${v.usage}`).join('\n')}

options
  --json        machine-readable output
  --help        this text (after a command: that command's usage)
  --version     the version

Environment: TALKREEL_DATA_DIR (default data/) and the other variables in README.md.
While a server holds the data directory, writing commands are sent to it at TALKREEL_PUBLIC_URL
(with TALKREEL_ADMIN_TOKEN); migrate needs the server stopped.`;

type Output = { out: (s: string) => void; err: (s: string) => void };

type ImportInput = { text: string; eventId: string | undefined; format: 'xml' | 'json' | undefined };

const coreVerbs: CliVerb[] = [
  sharedVerb<ImportInput, ImportReport>({
    name: 'import',
    usage: '',
    options: { event: { type: 'string' }, format: { type: 'string' } },
    async input(args, values) {
      const file = args[0];
      if (!file)
        throw new UsageError('import needs a file: talkreel import <schedule.xml|schedule.json> [--event <id>]');
      const format = values.format;
      if (format !== undefined && format !== 'xml' && format !== 'json')
        throw new UsageError('--format must be xml or json');
      return { text: await readInput(file), eventId: values.event as string | undefined, format };
    },
    local: (services, { text, eventId, format }) =>
      services.importSchedule(text, { eventId, createMissingEvent: true, format }),
    async remote(call, { text, eventId, format }) {
      const json = format === 'json' || (format === undefined && text.trimStart().startsWith('{'));
      // Like the local import, an --event the catalogue lacks is created from the file.
      const query = new URLSearchParams({ ...(format ? { format } : {}), ...(eventId ? { create: 'true' } : {}) });
      const qs = query.size > 0 ? `?${query}` : '';
      const route = eventId ? `/api/events/${encodeURIComponent(eventId)}/schedule${qs}` : `/api/schedules${qs}`;
      const type = json ? 'application/json' : 'application/xml';
      return (await call('POST', route, { text, type })) as ImportReport;
    },
    human: (report) =>
      [
        `${report.eventCreated ? 'created' : 'updated'} event ${report.eventId} from ${report.format}: ${report.talks} talks in file`,
        `  created ${report.created.length}, updated ${report.updated.length}, unchanged ${report.unchanged}, removed from schedule ${report.removed.length}, published ${report.published.length}`,
      ].join('\n'),
  }),
  {
    name: 'events',
    usage: '',
    writes: false,
    options: {},
    async run({ services, print }) {
      const events = await services.catalogue.listEvents();
      const rows = await Promise.all(
        events.map(async (e) => ({ ...e, talks: (await services.store.talksOfEvent(e.id)).length })),
      );
      print(rows, () =>
        rows.length === 0
          ? 'no events'
          : rows.map((e) => `${e.id}\t${e.name}\t${e.city ?? ''}\t${e.startDate ?? ''}\t${e.talks} talks`).join('\n'),
      );
    },
  },
  {
    name: 'talks',
    usage: '',
    writes: false,
    options: { event: { type: 'string' } },
    async run({ services, values, print }) {
      const page = await services.catalogue.listTalks(
        { eventId: values.event as string | undefined },
        undefined,
        100_000,
      );
      print(page.items, () =>
        page.items.length === 0
          ? 'no talks'
          : page.items
              .map(
                (t) =>
                  `${t.id}\t${t.recording.status}\t${t.title}\t${t.speakers.map((s) => s.name).join(', ')}${recordingUrlOf(t) ? `\t${recordingUrlOf(t)}` : ''}`,
              )
              .join('\n'),
      );
    },
  },
  {
    name: 'lookup',
    usage: '',
    writes: false,
    options: { event: { type: 'string' }, limit: { type: 'string' } },
    async run({ services, args, values, print }) {
      const query = args.join(' ').trim();
      if (!query) throw new UsageError('lookup needs a query: talkreel lookup "mcclain neutron"');
      const limit = values.limit === undefined ? 5 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50)
        throw new UsageError('--limit must be an integer from 1 to 50');
      const results = await lookupTalks(services, query, { eventId: values.event as string | undefined, limit });
      const rows = results.map((r) => lookupResultDto(r, services.config.publicUrl));
      print(rows, () =>
        rows.length === 0
          ? 'no match'
          : rows
              .map(
                (r) =>
                  `${r.score.toFixed(2)}\t${r.id}\t${r.status}\t${r.title} — ${r.speakers.join(', ')}\t${r.recordingUrl ?? r.url}`,
              )
              .join('\n'),
      );
    },
  },
];

/** Run the CLI. Returns the exit code; never calls process.exit itself. */
export async function runCli(
  argv: readonly string[],
  io: Output,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const verbs = [...coreVerbs, ...cliVerbs];
  const [verbName, ...rest] = argv;
  if (!verbName || verbName === '--help' || verbName === '-h' || verbName === 'help') {
    io.out(USAGE);
    return verbName ? 0 : 2;
  }
  if (verbName === '--version' || verbName === '-V' || verbName === 'version') {
    io.out(`talkreel ${packageVersion()}`);
    return 0;
  }
  // Two-word verbs: `sources add`, `posts add`, …
  const twoWord = rest[0] && !rest[0].startsWith('-') ? `${verbName} ${rest[0]}` : undefined;
  const verb = verbs.find((v) => v.name === twoWord) ?? verbs.find((v) => v.name === verbName);
  if (!verb) {
    io.err(`talkreel: unknown command "${verbName}" (see talkreel --help)`);
    return 2;
  }
  const argsAfterVerb = verb.name === twoWord ? rest.slice(1) : rest;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argsAfterVerb],
      options: { json: { type: 'boolean' }, help: { type: 'boolean' }, ...verb.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`talkreel ${verb.name}: ${(err as Error).message}`);
    return 2;
  }
  if (parsed.values.help === true) {
    // Per-verb help: its usage line(s) from the overview, without opening the store.
    const lines = USAGE.split('\n').filter((l) => l.trimStart().startsWith(`${verb.name} `) || l.trim() === verb.name);
    io.out(
      `usage: talkreel ${lines.map((l) => l.trim()).join('\n       talkreel ') || verb.name}\n\noptions: --json (machine-readable output), --help`,
    );
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.err(`talkreel: ${(err as Error).message.replace(/\n\s*/g, ' ')}`);
    return 78;
  }
  const logger = createLogger(env.LOG_LEVEL ? config.logLevel : 'warn', process.stderr);
  const json = parsed.values.json === true;
  const print: Print = (data, human) => io.out(json ? JSON.stringify(data, null, 2) : human());
  let services: Services | undefined;
  try {
    try {
      services = await createServices(config, logger, { readOnly: !verb.writes, detectWorker: false });
    } catch (err) {
      if (!(err instanceof StoreLockedError)) throw err;
      // A running server holds the data directory: do the same through its API when we can.
      const remote = remoteVerb(verb, err, config);
      let announced = false;
      const call: RemoteCall = async (...request) => {
        if (!announced)
          io.err(
            `talkreel ${verb.name}: the data directory is in use by a running server; sending the request to ${config.publicUrl}`,
          );
        announced = true;
        try {
          return await remote.call(...request);
        } catch (remoteErr) {
          // No server answers there: the lock is the news (a crashed server, another CLI).
          if (remoteErr instanceof ServerUnreachable) throw new Error(`${err.message}; ${remoteErr.message}`);
          throw remoteErr;
        }
      };
      const code = await remote.run({ call, args: parsed.positionals, values: parsed.values, print });
      return typeof code === 'number' ? code : 0;
    }
    const ctx: CliContext = { services, args: parsed.positionals, values: parsed.values, json, print };
    const code = await verb.run(ctx);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    io.err(`talkreel ${verb.name}: ${describe(err)}`);
    return err instanceof UsageError ? 2 : err instanceof StoreUnavailableError ? 78 : 1;
  } finally {
    await services?.close();
  }
}

/** How `verb` goes to the server holding the lock; throws the reason when it cannot. */
function remoteVerb(verb: CliVerb, locked: StoreLockedError, config: Config) {
  if (verb.remoteRefusal)
    throw new Error(`the data directory is locked by process ${locked.pid} (a running server?); ${verb.remoteRefusal}`);
  if (!verb.remote) throw locked;
  if (!config.adminToken)
    throw new Error(
      `${locked.message}; or set TALKREEL_ADMIN_TOKEN (and TALKREEL_PUBLIC_URL) to send this to the running server`,
    );
  return { call: remoteCall(config.publicUrl, config.adminToken), run: verb.remote };
}

function describe(err: unknown): string {
  // A server's error envelope reads like the same error raised here.
  if (err instanceof DomainError || err instanceof RemoteError) {
    const d = err.details as { line?: number; path?: string } | undefined;
    const where = d?.line ? ` (line ${d.line})` : d?.path ? ` (at ${d.path})` : '';
    return `${err.message}${where}`.replace(/\n/g, ' ');
  }
  if (
    err instanceof StoreCorruptError ||
    err instanceof StoreLockedError ||
    err instanceof StoreUnavailableError ||
    err instanceof UsageError
  )
    return err.message;
  return (err instanceof Error ? err.message : String(err)).replace(/\n/g, ' ');
}

/** The version in package.json, found from this file upwards (source and built layouts differ). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'talkreel') return pkg.version ?? 'unknown';
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
