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
  /** Its attribute name where `run` reads it (cliOptions), checked against the flags when registered. */
  key?: string;
}

/** The parsed command line of one form: its arguments in order (variadic ones as string[]) and its options. */
export interface CliInput {
  args: readonly unknown[];
  opts: Readonly<Record<string, unknown>>;
}

/** A variadic argument's words (`<text...>`) as one text. */
export const wordsOf = (input: CliInput, i = 0): string => (input.args[i] as string[]).join(' ');

/** A whole number within bounds, read from an option's or argument's text; the message names the text. */
export const wholeNumberText = (min: number, max: number) =>
  z.string().transform((value, ctx) => {
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got '${value}'` });
    return z.NEVER;
  });

/** A YYYY-MM-DD date (not 2024-02-31), read from an option's text. */
export const isoDateText = z.string().refine(isIsoDate, { error: (iss) => `expected a date as YYYY-MM-DD, got '${String(iss.input)}'` });

/** A zod check of a text as a parser (CliArgument.parse): it throws an Error with the first problem. */
export const parserOf =
  <T>(schema: z.ZodType<T, string>) =>
  (value: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(r.error.issues[0]?.message ?? `'${value}' is not valid here`);
    return r.data;
  };

/** Reads a whole number within bounds; the Error names the value. */
export const countParser = (min: number, max: number) => parserOf(wholeNumberText(min, max));

/** Reads a YYYY-MM-DD date (not 2024-02-31); the Error names the value. */
export const isoDateParser = parserOf(isoDateText);

/** One of the CLI's own options: as commander shows it, and the zod check of its text (none for a flag). */
export interface OptionSpec<T> extends Omit<CliOption, 'parse'> {
  value?: z.ZodType<T, string>;
}

/** The options' values by key: a flag is true or absent; an option with a default always has a value. */
type OptionValues<S> = {
  [K in keyof S]: S[K] extends { value: z.ZodType<infer T, string> } ? (S[K] extends { default: unknown } ? T : T | undefined) : boolean | undefined;
};

/**
 * The CLI's own options of a form, declared once: each value is checked by its zod schema as commander
 * reads it (a bad one is a usage error naming it) and handed to `run` under its key (CliForms.extra).
 * Keys are commander's attribute names: `--dry-run` is `dryRun`.
 */
export function cliOptions<S extends Record<string, OptionSpec<unknown>>>(spec: S): { options: CliOption[]; extra: z.ZodType<OptionValues<S>, CliInput> } {
  const options = Object.entries(spec).map(([key, { value, ...o }]) => ({ ...o, key, ...(value ? { parse: parserOf(value) } : {}) }));
  const extra = z.object({ opts: z.record(z.string(), z.unknown()) }).transform(({ opts }) => Object.fromEntries(Object.keys(spec).map((k) => [k, opts[k]])));
  return { options, extra: extra as unknown as z.ZodType<OptionValues<S>, CliInput> };
}

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
