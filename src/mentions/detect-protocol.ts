/**
 * Messages between the main thread and the detection worker (`detect-worker.ts`), all plain
 * structured-cloneable data. The worker's index follows the store through them: a snapshot
 * (events, then talks in chunks, then its end), then every catalogue commit in commit order.
 * Requests carry an id; the answer names it.
 */
import type { CatalogueChange } from '../catalogue/store-port.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import type { PostDocument } from '../text/extract.ts';
import type { Mention } from './types.ts';

/** What the worker is started with (`workerData`). */
export type DetectWorkerData = { readonly publicUrl: string };

/** Main thread → worker. */
export type ToDetectWorker =
  | { readonly type: 'snapshot-events'; readonly events: readonly Event[] }
  | { readonly type: 'snapshot-talks'; readonly talks: readonly Talk[] }
  | { readonly type: 'snapshot-end' }
  /** One store commit's catalogue records, forwarded in commit order. */
  | { readonly type: 'commit'; readonly change: CatalogueChange }
  | {
      readonly type: 'detect';
      readonly id: number;
      readonly doc: PostDocument;
      readonly eventId?: string | undefined;
      readonly limit?: number | undefined;
    };

/** Worker → main thread. */
export type FromDetectWorker =
  /** The index is built from the snapshot (and the commits that followed it): detection may start. */
  | { readonly type: 'ready'; readonly talks: number; readonly buildMs: number }
  | { readonly type: 'detected'; readonly id: number; readonly mentions: readonly Mention[] }
  /** Detection threw (a bug, not a crash): the request fails, the worker stays. */
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
