/** What a poll run reports, per source and overall, and which sources a run polls. */

export type SourceRunResult = {
  readonly sourceId: string;
  readonly eventId: string;
  readonly status: 'ok' | 'not-modified' | 'failed' | 'skipped';
  readonly items: number;
  readonly matched: number;
  readonly published: readonly string[];
  readonly unmatched: number;
  readonly error?: string | undefined;
};

export type PollRun =
  | { readonly status: 'ok'; readonly results: readonly SourceRunResult[]; readonly storeCommits: number }
  | { readonly status: 'skipped'; readonly reason: string };

export type PollSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'due'; readonly schedule?: string | undefined }
  | { readonly kind: 'ids'; readonly ids: readonly string[] };
