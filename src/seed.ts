import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from './app/services.ts';
import type { EventInput } from './catalogue/catalogue.ts';

/** Committed demo data: OpenStack in Action 4, Paris, 5 Dec 2013. */
export const SEED_DIR = findSeedDir(path.dirname(fileURLToPath(import.meta.url)));

/** `data/seed` of the project, whether running from `src/` (tsx) or `dist/src/` (built). */
function findSeedDir(from: string): string {
  for (let dir = from, i = 0; i < 4; i += 1, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'data', 'seed');
    if (existsSync(path.join(candidate, 'event.json'))) return candidate;
  }
  return path.resolve(from, '..', 'data', 'seed');
}

/**
 * Load the demo event and its schedule into a new store (first start: nothing was ever written to
 * it). A store that has seen any write is left alone, so an operator who deletes the demo event,
 * or everything, keeps it deleted across restarts.
 */
export async function seedIfEmpty(
  services: Services,
  seedDir = SEED_DIR,
): Promise<{ seeded: boolean; eventId?: string }> {
  const stats = await services.store.stats();
  if (stats.lastSeq > 0 || (await services.store.listEvents()).length > 0) return { seeded: false };
  // The import rescans posts against the indexes (built at once over an empty store).
  await services.indexes.whenReady;
  const event = JSON.parse(await fs.readFile(path.join(seedDir, 'event.json'), 'utf8')) as EventInput & {
    schedule: string;
  };
  const { schedule, ...input } = event;
  await services.catalogue.createEvent(input);
  const report = await services.importSchedule(await fs.readFile(path.join(seedDir, schedule), 'utf8'), {
    eventId: input.id,
  });
  return { seeded: true, eventId: report.eventId };
}
