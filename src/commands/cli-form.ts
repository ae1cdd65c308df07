/**
 * How a command appears on the command line (`paperfeed topics add <text...>`), in the command's own
 * definition but free of commander: src/cli/derived.ts turns these into subcommands. The CLI
 * prints the operation's result (or its JSON with --json) rather than the chat reply, so a command
 * with CLI forms splits its handler into the operation (`run`, shared with chat) and renderings.
 */
import { z } from 'zod';
import { isIsoDate } from '../papers/dates.ts';
import type { CommandContext } from './context.ts';
import type { CommandDeps } from './deps.ts';

export interface CliArgument {
  /** As commander writes it: `<text...>`, `<topic>`. */
  name: string;
  description: string;
  /** Reads and checks the value; throws an Error naming the problem (a usage error on the CLI). */
  parse?(value: string): unknown;
  /** The only values accepted (commander lists them in the help and the error). */
  choices?: readonly string[];
}

export interface CliOption extends Omit<CliArgument, 'name'> {
  /** As commander writes it: `--weight <w>`. */
  flags: string;
  /** Must be given (commander's required option). */
  required?: boolean;
  /** The value when it is not given (shown in the help). */
  default?: unknown;
  /** Options it cannot be given with (their attribute names: `forget`, `dryRun`). */
  conflicts?: readonly string[];
}

/** The parsed command line of one form: its arguments in order (variadic ones as string[]) and its options. */
export interface CliInput {
  args: readonly unknown[];
  opts: Readonly<Record<string, unknown>>;
}

/** A variadic argument's words (`<text...>`) as one text. */
export const wordsOf = (input: CliInput, i = 0): string => (input.args[i] as string[]).join(' ');

/** Reads a whole number within bounds; the Error names the value. */
export function countParser(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`expected a whole number from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

/** Reads a YYYY-MM-DD date (not 2024-02-31); the Error names the value. */
export function isoDateParser(value: string): string {
  if (!isIsoDate(value)) throw new Error(`expected a date as YYYY-MM-DD, got '${value}'`);
  return value;
}

/** An `extra` schema (CliForms.extra) over the command line's options only. */
export const optionsOf = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ opts: z.object(shape) }).transform((i) => i.opts) as unknown as z.ZodType<z.output<z.ZodObject<T>>, CliInput>;

export interface CliForm<I> {
  /** `paperfeed <group> <name>`; absent: `paperfeed <name>`. */
  group?: string;
  name: string;
  description: string;
  arguments?: readonly CliArgument[];
  options?: readonly CliOption[];
  /** What --json prints, for its help (default: 'the result'). */
  jsonWhat?: string;
  /** false: about nobody's profile (`similar`), so without --user and --channel. */
  recipient?: false;
  /**
   * Words such as "-survey" belong to the arguments (commander would take them for options); the
   * value is what the words are, for the error about a stray long option ('a keyword').
   */
  optionLikeWords?: string;
  /** The command, for the user or (--channel) the channel; checked against the schema afterwards. */
  build(input: CliInput, scope: 'user' | 'channel'): I;
}

/** Where the CLI's output goes, for a command that writes more than a result (raw text, a file). */
export interface CliOutput {
  /** Text exactly as given, to stdout or (with `file`) into that file. */
  write(text: string, file?: string): Promise<void>;
  /** A value as JSON on stdout, whatever --json says. */
  printJson(value: unknown): void;
}

/**
 * A command's `paperfeed` forms. The chat command a form builds is checked by the command's schema
 * (or `schema`); what the CLI takes beyond it (-k, --since, --dry-run, a file path: `extra`) is
 * read from the command line by its own zod schema and handed to `run` and the output steps.
 */
export interface CliForms<I, O, R, X = unknown> {
  /** Descriptions of `paperfeed <group>`, for forms with a group. */
  groups?: Readonly<Record<string, string>>;
  forms: readonly CliForm<I>[];
  /** The CLI's check of the built command when it differs from chat's (a longer query). */
  schema?: z.ZodType<O, I>;
  /** What the CLI takes beyond the chat command, read from its arguments and options; absent: nothing. */
  extra?: z.ZodType<X, CliInput>;
  /** The operation (the same the chat handler renders), for the CLI to print. */
  run(app: CommandDeps, ctx: CommandContext, cmd: O, extra: X): Promise<R>;
  /** The result as the CLI prints it (may throw a UserError for a result that is a failure on the CLI). */
  print(result: R, extra: X): string;
  /** The result as --json prints it (default: as it is). */
  json?(result: R, extra: X): unknown;
  /** Writes the result itself (an export to a file or stdout); true when it did, false to print as usual. */
  write?(result: R, extra: X, out: CliOutput): Promise<boolean> | boolean;
}
