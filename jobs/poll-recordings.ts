import type { Services } from '../src/app/services.ts';
import type { PollRun, PollSelection, SourceRunResult } from '../src/recordings/poller.ts';

export type JobResult<C> =
  | { readonly status: 'ok'; readonly counts: C; readonly results?: readonly SourceRunResult[] }
  | { readonly status: 'skipped'; readonly reason: string };

export type PollCounts = {
  sources: number;
  ok: number;
  notModified: number;
  failed: number;
  matched: number;
  published: number;
  unmatched: number;
  storeCommits: number;
};

/**
 * The poll-recordings job: polls the selected sources once and applies what they report.
 * Called by the cron schedule (due sources of one cron expression), the CLI (`poll --once`: all
 * sources) and the tests alike.
 */
export async function pollRecordings(
  services: Pick<Services, 'poller'>,
  opts: { selection?: PollSelection; skipIfRunning?: boolean; signal?: AbortSignal } = {},
): Promise<JobResult<PollCounts>> {
  const run = await services.poller.run(opts.selection ?? { kind: 'all' }, {
    skipIfRunning: opts.skipIfRunning,
    signal: opts.signal,
  });
  return pollResult(run);
}

/**
 * A poll run as the job reports it: the run's results with their counts. Also how the CLI reads a
 * run a server did for it (`POST /api/sources/poll` answers the run).
 */
export function pollResult(run: PollRun): JobResult<PollCounts> {
  if (run.status === 'skipped') return run;
  const counts: PollCounts = {
    sources: run.results.length,
    ok: 0,
    notModified: 0,
    failed: 0,
    matched: 0,
    published: 0,
    unmatched: 0,
    storeCommits: run.storeCommits,
  };
  for (const r of run.results) {
    if (r.status === 'ok') counts.ok += 1;
    else if (r.status === 'not-modified') counts.notModified += 1;
    else if (r.status === 'failed') counts.failed += 1;
    counts.matched += r.matched;
    counts.published += r.published.length;
    counts.unmatched += r.unmatched;
  }
  return { status: 'ok', counts, results: run.results };
}
