import type { StoreStats } from '../store/store.ts';

/** Change-log lag (seconds) past which `/health` warns: other instances' writes show up late here. */
const LAG_WARNING_SECONDS = 10;

/** What an operator should look at, from the store's stats (`/health` stays `ok`: these do not stop serving). */
export function healthWarnings(stats: StoreStats): string[] {
  const warnings: string[] = [];
  if (stats.quarantined > 0)
    warnings.push(
      `${stats.quarantined} stored record(s) had the wrong shape and are set aside, not served: see "quarantine" in db.json`,
    );
  const { lagSeconds, listening } = stats.changeLog;
  if (lagSeconds > LAG_WARNING_SECONDS)
    warnings.push(`change log ${lagSeconds} s behind: other instances' writes are not applied here yet`);
  if (listening === false)
    warnings.push(
      'change-log notifications are not received (reconnecting): other instances’ writes arrive by polling',
    );
  return warnings;
}
