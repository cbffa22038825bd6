/**
 * Entry of the detection worker thread (started by `detection-worker.ts`): it builds its own
 * `MentionIndex` from the snapshot the main thread sends, follows the
 * forwarded commits, and answers detection requests one message at a time, off the main event
 * loop. See `detect-protocol.ts` for the messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CatalogueFeed } from './catalogue-feed.ts';
import type { DetectWorkerData, FromDetectWorker, ToDetectWorker } from './detect-protocol.ts';
import { detectMentions } from './detect.ts';
import { MentionIndex } from './mention-index.ts';

const port = parentPort;
if (!port) throw new Error('detect-worker.ts runs as a worker thread (see detection-worker.ts)');
const { publicUrl } = workerData as DetectWorkerData;
const send = (message: FromDetectWorker): void => port.postMessage(message);

const started = performance.now();
const feed = new CatalogueFeed();
let mentions: MentionIndex | undefined;

port.on('message', (message: ToDetectWorker) => {
  switch (message.type) {
    case 'snapshot-events':
      return feed.addEvents(message.events);
    case 'snapshot-talks':
      return feed.addTalks(message.talks);
    case 'snapshot-end':
      return feed.snapshotEnded();
    case 'commit':
      return feed.commit(message.change);
    case 'detect': {
      // The main thread sends requests only once `ready` is out; answer anyway, never stay silent.
      if (!mentions) return send({ type: 'failed', id: message.id, message: 'the index is not built yet' });
      try {
        const found = detectMentions(message.doc, mentions, { eventId: message.eventId, limit: message.limit });
        return send({ type: 'detected', id: message.id, mentions: found });
      } catch (err) {
        return send({ type: 'failed', id: message.id, message: err instanceof Error ? err.message : String(err) });
      }
    }
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});

const index = await MentionIndex.attach(feed, publicUrl);
feed.goLive();
mentions = index;
send({ type: 'ready', talks: index.size, buildMs: Math.round(performance.now() - started) });
