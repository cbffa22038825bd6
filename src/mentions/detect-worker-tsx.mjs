// Entry of the detection worker when Talkreel runs from its TypeScript sources (tsx, mocha):
// a worker thread does not inherit its parent's loader hooks, so it registers tsx itself first.
// Compiled (`dist/`), `detect-worker.js` is started directly. See `workerEntry` in detect-worker-entry.ts.
import { register } from 'tsx/esm/api';

register();
await import('./detect-worker.ts');
