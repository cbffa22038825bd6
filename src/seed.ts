import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from './services.ts';
import type { EventInput } from './domain/catalogue.ts';

/** Committed demo data: OpenStack in Action 4, Paris, 5 Dec 2013. */
export const SEED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'seed');

/**
 * Load the demo event and its schedule into an empty store (first start). A store that already
 * holds events is left alone, so deleting the demo event keeps it deleted.
 */
export async function seedIfEmpty(services: Services, seedDir = SEED_DIR): Promise<{ seeded: boolean; eventId?: string }> {
  if ((await services.store.list('events')).length > 0) return { seeded: false };
  const event = JSON.parse(await fs.readFile(path.join(seedDir, 'event.json'), 'utf8')) as EventInput & { schedule: string };
  const { schedule, ...input } = event;
  await services.catalogue.createEvent(input);
  const report = await services.importSchedule(await fs.readFile(path.join(seedDir, schedule), 'utf8'), { eventId: input.id });
  return { seeded: true, eventId: report.eventId };
}
