import type { ParseArgsConfig } from 'node:util';
import type { Services } from './services.ts';

export type CliContext = {
  readonly services: Services;
  readonly args: readonly string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly json: boolean;
  /** Print `data` as JSON with --json, otherwise the human text. */
  print(data: unknown, human: () => string): void;
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
};

/** Verbs beyond the catalogue (sources, poll, mentions, …), registered as capabilities land. */
export const cliVerbs: CliVerb[] = [];
