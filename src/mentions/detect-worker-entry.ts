import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The worker entry beside this file: `detect-worker.js` when running compiled (`dist/`), else
 * (tsx, mocha) `detect-worker-tsx.mjs`, which registers tsx in the thread and imports
 * `detect-worker.ts`: a worker thread does not inherit its parent's loader hooks (Node 20: not
 * even with `--import tsx` in its `execArgv`).
 */
export function workerEntry(): URL {
  const js = new URL('./detect-worker.js', import.meta.url);
  return fs.existsSync(fileURLToPath(js)) ? js : new URL('./detect-worker-tsx.mjs', import.meta.url);
}
