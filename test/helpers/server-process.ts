import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEnv } from './start-app.ts';

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/**
 * The real server process (`src/main.ts`) over `dataDir` on an ephemeral port, logging at `info`
 * (its "listening" line gives the port); `output()` is its stdout so far.
 */
export async function startServer(dataDir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH,
      ...testEnv(dataDir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, port, output: () => out };
}
