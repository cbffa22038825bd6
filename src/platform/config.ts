import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { validate as validateCron } from 'node-cron';

/** Runtime configuration, parsed once from the environment. Nothing else reads `process.env`. */
export type Config = {
  /** HTTP port. @default 3000 */
  readonly port: number;
  /** Interface to bind. @default '0.0.0.0' */
  readonly host: string;
  /** Folder holding `db.json` and its lock. @default 'data/' */
  readonly dataDir: string;
  /**
   * PostgreSQL connection URL (`postgres://user:pass@host:5432/db`). Set: the store is PostgreSQL
   * (several instances may share it); unset: the lowdb file under `dataDir`. @default unset
   */
  readonly databaseUrl: string | undefined;
  /** Most PostgreSQL connections per instance. @default 10 */
  readonly databasePoolSize: number;
  /**
   * Names this process in logs, `/health` the change log and the leases of claimed jobs (`TALKREEL_INSTANCE_ID`); unique per
   * running process. @default `<hostname>-<pid>-<6 random hex>`
   */
  readonly instanceId: string;
  /** PostgreSQL: days a commit stays in the change log before housekeeping trims it. @default 7 */
  readonly changeLogRetentionDays: number;
  /** Bearer token for admin writes. Unset: every write is refused with 401. */
  readonly adminToken: string | undefined;
  /** Base of the permanent links (`/t/<id>`). @default `http://localhost:<port>` */
  readonly publicUrl: string;
  /** Run the cron jobs in the server process. @default true (`TALKREEL_JOBS=on`) */
  readonly jobs: boolean;
  /** Default cron expression for recording sources. @default every 15 minutes */
  readonly pollCron: string;
  /** Default cron expression for blog feed crawling. @default every 30 minutes */
  readonly crawlCron: string;
  /** Allow outbound fetches to loopback/private addresses. @default false */
  readonly allowPrivateNetwork: boolean;
  /** pino level. @default 'info' */
  readonly logLevel: string;
  /** Token expected on the voctopublish release webhook. Unset: the webhook is refused. */
  readonly webhookToken: string | undefined;
  /**
   * `hub.secret` of Talkreel's WebSub subscriptions. Set: pushes signed with it (X-Hub-Signature)
   * are ingested at once. Unset, or a bad signature: a push only triggers a poll of the source.
   */
  readonly websubSecret: string | undefined;
  /** Outbound fetch limits. */
  readonly fetch: { readonly timeoutMs: number; readonly maxBytes: number; readonly maxRedirects: number };
  /** Largest accepted request body, bytes. @default 5 MiB */
  readonly maxBodyBytes: number;
  /** Largest recap post accepted (HTML or text), characters. @default 1 MiB */
  readonly maxPostBytes: number;
  /** SMTP server for notification mail (`smtp://user:pass@host:587`, `smtps://…`). Unset: each mail is written as an `.eml` file under `<dataDir>/mail/`. */
  readonly smtpUrl: string | undefined;
  /** Sender of notification mail. @default `Talkreel <talkreel@<public host>>` */
  readonly mailFrom: string;
  /** Cron expression of the delivery job (retries and anything the in-process worker missed). @default every minute */
  readonly deliverCron: string;
  /** WebSub hub advertised by the recording feeds and pinged on each new item. @default unset */
  readonly websubHub: string | undefined;
  /** Send a Webmention from the talk page to each recap post once its recording is out. @default true */
  readonly sendWebmentions: boolean;
  /** Days a rejected or removed Webmention record is kept before it is deleted. @default 30 */
  readonly webmentionRetentionDays: number;
  /** lowdb: `fsync` the store file after every write (power-loss durability; PostgreSQL has its own). @default false */
  readonly fsync: boolean;
  /**
   * How long a claimed job stays leased to this instance without a renewal, ms (renewed every
   * third of it while the job runs). An instance that dies holds its jobs this long at most,
   * then another takes them. Must exceed the fetch and delivery timeouts.
   * @default 120000, or twice the longer of the fetch and delivery timeouts if that is more
   */
  readonly leaseMs: number;
  /**
   * Run mention detection in a worker thread with its own copy of the index, so detecting a large
   * post never stalls other requests. Costs a second index in memory (RSS ×1.9 at 100,000 talks,
   * +1.3 GB; +200 MB at 10,000). @default true (`TALKREEL_DETECT_WORKER=on`)
   */
  readonly detectWorker: boolean;
  /** Outgoing notification limits. */
  readonly deliver: {
    /** Deliveries in flight at once. @default 16 */
    readonly concurrency: number;
    /** Deliveries in flight to one host. @default 4 */
    readonly perHost: number;
    /** Deadline of one delivery attempt (connect, headers, body). @default 10000 */
    readonly timeoutMs: number;
  };
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parse the environment into a frozen Config, collecting every problem before throwing once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return def;
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no'].includes(raw)) return false;
    problems.push(`${name} must be on/off (or true/false), got "${env[name]}"`);
    return def;
  };
  const cron = (name: string, def: string): string => {
    const raw = env[name]?.trim();
    if (!raw) return def;
    if (!validateCron(raw)) problems.push(`${name} is not a valid cron expression: "${raw}"`);
    return raw;
  };

  const port = int('PORT', 3000, 0, 65535);
  const publicUrlRaw = env.TALKREEL_PUBLIC_URL?.trim();
  let publicUrl = `http://localhost:${port}`;
  if (publicUrlRaw) {
    try {
      const u = new URL(publicUrlRaw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      publicUrl = u.toString().replace(/\/+$/, '');
    } catch {
      problems.push(`TALKREEL_PUBLIC_URL must be an http(s) URL, got "${publicUrlRaw}"`);
    }
  }
  const databaseUrl = env.TALKREEL_DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./i.test(databaseUrl))
    problems.push('TALKREEL_DATABASE_URL must be a postgres:// or postgresql:// URL');
  const httpUrlVar = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
    } catch {
      // reported below
    }
    problems.push(`${name} must be an http(s) URL, got "${raw}"`);
    return undefined;
  };
  const smtpUrl = env.TALKREEL_SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/./i.test(smtpUrl))
    problems.push('TALKREEL_SMTP_URL must be an smtp:// or smtps:// URL');
  const instanceId = env.TALKREEL_INSTANCE_ID?.trim() || defaultInstanceId();
  if (!/^[\w.:@-]{1,100}$/.test(instanceId))
    problems.push('TALKREEL_INSTANCE_ID must be 1–100 letters, digits or . _ : @ -');
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const fetchTimeoutMs = int('TALKREEL_FETCH_TIMEOUT_MS', 15_000, 100, 300_000);
  const deliverTimeoutMs = int('TALKREEL_DELIVER_TIMEOUT_MS', 10_000, 100, 300_000);
  const longest = Math.max(fetchTimeoutMs, deliverTimeoutMs);

  const config: Config = {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: path.resolve(cwd, env.TALKREEL_DATA_DIR?.trim() || 'data'),
    databaseUrl,
    databasePoolSize: int('TALKREEL_DATABASE_POOL_SIZE', 10, 1, 200),
    instanceId,
    changeLogRetentionDays: int('TALKREEL_CHANGE_LOG_RETENTION_DAYS', 7, 1, 3650),
    adminToken: env.TALKREEL_ADMIN_TOKEN?.trim() || undefined,
    publicUrl,
    jobs: bool('TALKREEL_JOBS', true),
    pollCron: cron('TALKREEL_POLL_CRON', '*/15 * * * *'),
    crawlCron: cron('TALKREEL_CRAWL_CRON', '*/30 * * * *'),
    allowPrivateNetwork: bool('TALKREEL_ALLOW_PRIVATE_NETWORK', false),
    logLevel,
    webhookToken: env.TALKREEL_WEBHOOK_TOKEN?.trim() || undefined,
    websubSecret: env.TALKREEL_WEBSUB_SECRET?.trim() || undefined,
    fetch: {
      timeoutMs: fetchTimeoutMs,
      maxBytes: int('TALKREEL_FETCH_MAX_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxRedirects: 5,
    },
    maxBodyBytes: int('TALKREEL_MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    maxPostBytes: int('TALKREEL_MAX_POST_BYTES', 1024 * 1024, 1024, 50 * 1024 * 1024),
    smtpUrl,
    mailFrom: env.TALKREEL_MAIL_FROM?.trim() || `Talkreel <talkreel@${mailHost(publicUrl)}>`,
    deliverCron: cron('TALKREEL_DELIVER_CRON', '* * * * *'),
    websubHub: httpUrlVar('TALKREEL_WEBSUB_HUB'),
    sendWebmentions: bool('TALKREEL_SEND_WEBMENTIONS', true),
    fsync: bool('TALKREEL_FSYNC', false),
    detectWorker: bool('TALKREEL_DETECT_WORKER', true),
    webmentionRetentionDays: int('TALKREEL_WEBMENTION_RETENTION_DAYS', 30, 1, 3650),
    leaseMs: int('TALKREEL_LEASE_MS', Math.max(120_000, 2 * longest), 1000, 3_600_000),
    deliver: {
      concurrency: int('TALKREEL_DELIVER_CONCURRENCY', 16, 1, 1000),
      perHost: int('TALKREEL_DELIVER_PER_HOST', 4, 1, 100),
      timeoutMs: deliverTimeoutMs,
    },
  };
  if (config.leaseMs <= longest)
    problems.push(
      `TALKREEL_LEASE_MS (${config.leaseMs}) must exceed the fetch and delivery timeouts (${longest} ms): a job must finish within its lease`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** `<hostname>-<pid>-<random>`: distinct for every process, also two on one host or a reused pid. */
function defaultInstanceId(): string {
  const host = os.hostname().replace(/[^\w.-]/g, '') || 'host';
  return `${host.slice(0, 60)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The host of the public URL, for the default sender address. */
function mailHost(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}
