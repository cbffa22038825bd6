import path from 'node:path';
import { openLowdbStore, openMemoryStore, openPostgresStore } from '../../src/store/open.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/start-app.ts';
import { describeStoreContract } from './store.contract.ts';
import { describeNotifyContract } from './notify.contract.ts';
import { describeClaimsContract } from './claims.contract.ts';
import { createStore } from '../../src/store/create-store.ts';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { LowdbBackend } from '../../src/store/lowdb-backend.ts';

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

describeClaimsContract('memory', async () => {
  const backend = new MemoryBackend();
  return { a: createStore(backend), b: createStore(backend), cleanup: async () => undefined };
});

describeClaimsContract('lowdb', async () => {
  const tmp = tempDir();
  const backend = await LowdbBackend.open({ file: path.join(tmp.dir, 'db.json') });
  return { a: createStore(backend), b: createStore(backend), cleanup: async () => tmp.cleanup() };
});

describeClaimsContract('postgres', async () => {
  const db = await createTestDatabase();
  const [a, b] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
  return { a, b, cleanup: () => db.drop() };
});
