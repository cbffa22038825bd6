import path from 'node:path';
import { openLowdbStore, openMemoryStore, openPostgresStore } from '../../src/store/open.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/start-app.ts';
import { describeStoreContract } from './store.contract.ts';
import { describeNotifyContract } from './notify.contract.ts';

describeStoreContract('memory', async () => ({ store: openMemoryStore(), cleanup: async () => undefined }));

describeStoreContract('lowdb', async () => {
  const tmp = tempDir();
  return { store: await openLowdbStore({ file: path.join(tmp.dir, 'db.json') }), cleanup: async () => tmp.cleanup() };
});

describeStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return { store: await openPostgresStore(db.url), cleanup: () => db.drop() };
});

describeNotifyContract('memory', async () => ({ store: openMemoryStore(), cleanup: async () => undefined }));

describeNotifyContract('lowdb', async () => {
  const tmp = tempDir();
  return { store: await openLowdbStore({ file: path.join(tmp.dir, 'db.json') }), cleanup: async () => tmp.cleanup() };
});

describeNotifyContract('postgres', async () => {
  const db = await createTestDatabase();
  return { store: await openPostgresStore(db.url), cleanup: () => db.drop() };
});
