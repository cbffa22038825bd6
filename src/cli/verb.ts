import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../app/services.ts';
import type { RemoteCall } from './remote.ts';

/** Print `data` as JSON with --json, otherwise the human text. */
export type Print = (data: unknown, human: () => string) => void;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export type CliContext = {
  readonly services: Services;
  readonly args: readonly string[];
  readonly values: Values;
  readonly json: boolean;
  readonly print: Print;
};

/** What a verb run over HTTP gets: the admin-authenticated call, its arguments, and output. */
export type RemoteContext = {
  readonly call: RemoteCall;
  readonly args: readonly string[];
  readonly values: Values;
  readonly print: Print;
};

/** One `talkreel` command. `name` may be two words (`sources add`). */
export type CliVerb = {
  readonly name: string;
  /** One line for --help. */
  readonly usage: string;
  /** Needs the data directory's write lock. */
  readonly writes: boolean;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext): Promise<number | void>;
  /**
   * The same verb through a running server's HTTP API, used when the server holds the data
   * directory's lock (needs TALKREEL_ADMIN_TOKEN and TALKREEL_PUBLIC_URL pointing at it).
   */
  remote?(ctx: RemoteContext): Promise<number | void>;
  /** Why this writing verb cannot be sent to a running server: said instead of trying. */
  readonly remoteRefusal?: string;
};

/** A writing verb that works the same with or without a running server. */
export type SharedVerbSpec<I, R> = {
  readonly name: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Read and check the arguments (throw UsageError), whichever way the verb then runs. */
  input(args: readonly string[], values: Values): I | Promise<I>;
  /** Do it on the store this process opened. */
  local(services: Services, input: I): Promise<R>;
  /** Do it through the running server's admin API, resolving with what `local` would. */
  remote(call: RemoteCall, input: I): Promise<R>;
  /** The human output of a result (the same whichever way it was made). */
  human(result: R): string;
  /** The exit code of a result. @default 0 */
  exitCode?(result: R): number;
};

/**
 * Build a writing verb from one input reader, two ways to do it (locally, or through a running
 * server's API) and one way to show the result: both paths print the same thing.
 */
export function sharedVerb<I, R>(spec: SharedVerbSpec<I, R>): CliVerb {
  const show = (print: Print, result: R): number => {
    print(result, () => spec.human(result));
    return spec.exitCode?.(result) ?? 0;
  };
  return {
    name: spec.name,
    usage: spec.usage,
    writes: true,
    options: spec.options,
    run: async ({ services, args, values, print }) =>
      show(print, await spec.local(services, await spec.input(args, values))),
    remote: async ({ call, args, values, print }) =>
      show(print, await spec.remote(call, await spec.input(args, values))),
  };
}
