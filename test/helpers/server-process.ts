import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEnv } from './start-app.ts';

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export type ServerProcess = {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Its stdout so far (JSON log lines). */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

/** The real server process (`src/main.ts`) over `dataDir` on an ephemeral port, once it listens. */
export async function startServer(
  dataDir: string,
  env: Record<string, string>,
  argv: readonly string[] = ['--import', 'tsx', MAIN],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, argv, {
    env: {
      PATH: process.env.PATH,
      ...testEnv(dataDir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}${err}`)));
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A server process expected to refuse to start: its exit code and stderr. */
export async function runServerToExit(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH, ...testEnv(dataDir, { PORT: '0', HOST: '127.0.0.1', ...env }) },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}
