import path from 'node:path';
import { openLowdbStore, openMemoryStore } from '../../src/store/open.ts';
import { tempDir } from '../helpers/start-app.ts';
import { describeStoreContract } from './store.contract.ts';

describeStoreContract('memory', async () => ({ store: openMemoryStore(), cleanup: async () => undefined }));

describeStoreContract('lowdb', async () => {
  const tmp = tempDir();
  return { store: await openLowdbStore({ file: path.join(tmp.dir, 'db.json') }), cleanup: async () => tmp.cleanup() };
});
