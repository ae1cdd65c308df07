/**
 * A chat command is one definition: its name and other words for it, its schema, its help, how its
 * words after the name are read, and its handler. `defineCommand` brands it, and registry.ts finds
 * every branded value the files of ./definitions/ export: the parser's names and dispatch, the help
 * text, the Discord slash-command spec and the `paperfeed` subcommands are derived from those.
 *
 * Order without a list: a definition's usage names its help `section` (SECTIONS, in help order);
 * within a section, commands follow their file's name, then the order the file defines them in
 * (`defineCommand` numbers the definitions as they are made: a module's exports keep no order).
 */
import { z } from 'zod';
import type { CommandDeps } from './deps.ts';
import { scopeSchema, textArg, type Scope } from './command.ts';
import { wordsOf, type CliArgument, type CliForms, type CliInput, type CliOption } from './cli-form.ts';
import { changedRecipient, clockOf, type CommandContext } from './context.ts';
import type { Recipient } from '../recommend/index.ts';
import { need, textOption, type SlashForms } from './slash-form.ts';
import type { Reply } from './reply.ts';

/** The headings of help, in order; every definition names one as its usage's `section`. */
export const SECTIONS = ['Your picks', 'Finding papers', 'Your feed', 'Your profile', 'Your library', 'Help'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Usage {
  /** Where help lists it. */
  section: Section;
  /** The accepted forms, as typed after `/papers`. */
  forms: string[];
  summary: string;
}

/** The words after the command name. */
export interface Words {
  /** The words as typed. */
  args: string[];
  /** The text after the command name (original spacing collapsed). */
  rest: string;
}

/** How the words are being read: for the user or the channel, and the usage reply that fits. */
export interface ParseCall {
  scope: Scope;
  /** The usage reply for this form (the `channel ...` usage in a channel form), led by the problem. */
  usage(problem?: string): Reply;
}

/** A command's schema: an object (or a union of objects on `op`) whose `name` is the command's. */
type Schema = z.ZodType<{ name: string }, { name: string }>;

export interface CommandDefinition<S extends Schema = Schema> {
  name: z.output<S>['name'];
  /** Other words people type for it (`picks` for `today`). */
  aliases?: readonly string[];
  schema: S;
  usage: Usage;
  /** Its `channel ...` forms, when it also works on the channel's settings (then `parse` sees scope 'channel'). */
  channelForms?: readonly string[];
  /**
   * The words after the name → the command (checked against the schema afterwards) or a usage
   * reply. Absent: the command is not typed by its name (see `parseWords` / `parseText`).
   */
  parse?(w: Words, call: ParseCall): NoInfer<z.input<S>> | Reply;
  /** Reads whole command words before name lookup (`up <paper>`); undefined when they are not this command. */
  parseWords?(words: string[], call: ParseCall): NoInfer<z.input<S>> | Reply | undefined;
  /** Reads the raw text before anything else (keeps line breaks); undefined when it is not this command. */
  parseText?(text: string, call: ParseCall): NoInfer<z.input<S>> | Reply | undefined;
  run(app: CommandDeps, ctx: CommandContext, cmd: NoInfer<z.output<S>>): Promise<Reply> | Reply;
  /** How it appears as `/papers` subcommands on Discord (bots/discord/command-spec.ts derives the spec). */
  discord?: SlashForms<NoInfer<z.input<S>>>;
  /** How it appears as `paperfeed` subcommands (src/cli/derived.ts derives them). */
  cli?: CliForms<NoInfer<z.input<S>>, NoInfer<z.output<S>>, any, any>;
}

// Symbol.for: the brand holds even if a file were loaded twice under two URLs.
const DEFINED = Symbol.for('paperfeed.commandDefinition');
let defined = 0;

/**
 * Keeps a definition's literal types (its schema, hence its handler's command type) and brands it
 * with its number in the order definitions are made, for registry.ts's discovery and order.
 */
export function defineCommand<S extends Schema>(d: CommandDefinition<S>): CommandDefinition<S> {
  Object.defineProperty(d, DEFINED, { value: ++defined });
  return d;
}

/** True for a value `defineCommand` made (anything else a definition file exports is not a command). */
export const isCommandDefinition = (v: unknown): v is CommandDefinition => typeof v === 'object' && v !== null && DEFINED in v;

/** A definition's number in the order definitions were made: within one file, the order it defines them in. */
export const definedOrder = (d: CommandDefinition): number => (d as unknown as Record<symbol, number>)[DEFINED]!;

const SUB_ALIASES: Record<string, string> = { rm: 'remove', delete: 'remove', del: 'remove', ls: 'list', tz: 'timezone', zone: 'timezone' };

/** A sub-command word, lower case, with its aliases (`rm` → `remove`). */
export const sub = (w: string | undefined): string | undefined => {
  const s = w?.toLowerCase();
  return s === undefined ? undefined : (SUB_ALIASES[s] ?? s);
};

/** The words from the n-th on, as one text. */
export const after = (args: string[], n: number): string => args.slice(n).join(' ');

/** A command that takes no arguments. */
export function noArgs<T>(name: string, w: Words, call: ParseCall, cmd: T): T | Reply {
  return w.args.length ? call.usage(`\`${name}\` takes no arguments`) : cmd;
}

/** A command whose argument is all the text after its name. */
export function needRest<T>(w: Words, call: ParseCall, build: (rest: string) => T, what: string): T | Reply {
  return w.rest ? build(w.rest) : call.usage(`Say ${what}`);
}

/** A text command as parsed: its name and its one field; `scope` only from the CLI's --channel. */
export type TextCommand<N extends string, F extends string> = { name: N; scope?: Scope } & Record<F, string>;

/** A command whose one argument is free text: `similar <text>`, `follow <author>`, `save <paper>`. */
export function textCommand<N extends string, F extends string, R = unknown, X = undefined>(d: {
  name: N;
  aliases?: readonly string[];
  /** The command's field, also the slash option's name. */
  field: F;
  /** The argument in the schema's messages ("a paper") and its longest length. */
  what: string;
  max: number;
  usage: Usage;
  /** What the usage reply asks for when it is missing: "Say <say>". */
  say: string;
  slash: { description: string; option: string; visibility?: 'private' | 'channel' };
  /** `scope` is set only by the CLI forms (--channel); chat is always the user's own. */
  run(app: CommandDeps, ctx: CommandContext, value: string, scope?: Scope): Promise<Reply> | Reply;
  /** Its `paperfeed` subcommand; with it the schema takes the CLI's scope. */
  cli?: TextCli<R, X>;
}) {
  type Cmd = TextCommand<N, F>;
  const make = (value: string) => ({ name: d.name, [d.field]: value }) as Cmd;
  const schemaUpTo = (max: number) =>
    z.object({
      name: z.literal(d.name),
      ...(d.cli ? { scope: scopeSchema.optional() } : {}),
      [d.field]: textArg(d.what, max),
    }) as unknown as z.ZodType<Cmd, Cmd>;
  const schema = schemaUpTo(d.max);
  return defineCommand({
    name: d.name,
    ...(d.aliases ? { aliases: d.aliases } : {}),
    schema,
    usage: d.usage,
    parse: (w, call) => needRest(w, call, make, d.say),
    discord: {
      forms: [
        {
          name: d.name,
          description: d.slash.description,
          options: [textOption(d.field, d.slash.option, d.max)],
          ...(d.slash.visibility ? { visibility: d.slash.visibility } : {}),
          build: (o) => make(need(o, d.field)),
        },
      ],
    },
    ...(d.cli ? { cli: textCliForms(d.name, d.field, d.cli, d.cli.max ? schemaUpTo(d.cli.max) : undefined) as CliForms<Cmd, Cmd, unknown> } : {}),
    run: (app, ctx, cmd) => d.run(app, ctx, cmd[d.field], cmd.scope),
  });
}

/** A text command's `paperfeed` subcommand, whose one argument (variadic: `<name...>`) is the command's field. */
export interface TextCli<R, X = undefined> {
  /** `paperfeed <group> <name>`, or `paperfeed <name>` without a group. */
  group?: { name: string; description: string };
  name: string;
  description: string;
  argument: CliArgument;
  /** The CLI's own options (not in the chat command), read by `extra` (CliForms.extra). */
  options?: readonly CliOption[];
  extra?: z.ZodType<X, CliInput>;
  /** The longest value the CLI takes, when it takes more than chat. */
  max?: number;
  /** What --json prints, for its help. */
  jsonWhat?: string;
  /** false: about nobody's profile, so without --user and --channel. */
  recipient?: false;
  /** The operation the chat reply is made from, for the user or (scope 'channel') the channel. */
  run(app: CommandDeps, ctx: CommandContext, value: string, scope: Scope | undefined, extra: X): Promise<R>;
  print(result: R, extra: X): string;
  json?(result: R, extra: X): unknown;
}

/**
 * A TextCli's `run` from an operation that changes a profile: the user's, or with the CLI's --channel
 * the channel's (`what` names it in the error for someone who is not a channel admin).
 */
export const profileChange =
  <R>(what: string, op: (app: CommandDeps, r: Recipient, value: string, opts: { now: Date }) => Promise<R>) =>
  async (app: CommandDeps, ctx: CommandContext, value: string, scope?: Scope): Promise<R> =>
    op(app, await changedRecipient(ctx, scope, what), value, { now: clockOf(ctx) });

function textCliForms<N extends string, F extends string, R, X>(
  name: N,
  field: F,
  d: TextCli<R, X>,
  schema: z.ZodType<TextCommand<N, F>, TextCommand<N, F>> | undefined,
): CliForms<TextCommand<N, F>, TextCommand<N, F>, R, X> {
  const variadic = d.argument.name.endsWith('...>');
  return {
    ...(d.group ? { groups: { [d.group.name]: d.group.description } } : {}),
    forms: [
      {
        ...(d.group ? { group: d.group.name } : {}),
        name: d.name,
        description: d.description,
        arguments: [d.argument],
        ...(d.options ? { options: d.options } : {}),
        ...(d.jsonWhat ? { jsonWhat: d.jsonWhat } : {}),
        ...(d.recipient === false ? { recipient: false as const } : {}),
        build: (i, scope) => ({ name, scope, [field]: variadic ? wordsOf(i) : (i.args[0] as string) }) as TextCommand<N, F>,
      },
    ],
    ...(schema ? { schema } : {}),
    ...(d.extra ? { extra: d.extra } : {}),
    run: (app, ctx, cmd, extra) => d.run(app, ctx, cmd[field], cmd.scope, extra),
    print: d.print,
    ...(d.json ? { json: d.json } : {}),
  };
}
