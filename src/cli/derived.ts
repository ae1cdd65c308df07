// Commander subcommands from chat command definitions' CLI forms (src/commands/cli-form.ts):
// `topics add|list|remove|weight`, `similar`, `picks`, ... Free of the registry, so a run can
// register the definitions of one command file without loading the others (src/cli/registrars.ts).
import { writeFile } from 'node:fs/promises';
import { Argument, type Command, Option } from 'commander';
import type { z } from 'zod';
import type { CliArgument, CliForm, CliForms, CliOption, CliOutput } from '../commands/cli-form.ts';
import { isCommandDefinition, type CommandDefinition } from '../commands/definition.ts';
import { UserError } from '../errors.ts';
import { terminalSafe } from '../terminal-text.ts';
import type { CliContext, RegisterCommand } from './context.ts';
import { commanderParser } from './options.ts';
import { addRecipientOptions, cliCommandContext, joinWords, type RecipientOpts } from './recipient-options.ts';

type Opts = RecipientOpts & { json?: boolean } & Record<string, unknown>;
type AnyForms = CliForms<unknown, unknown, unknown, unknown>;

/** A form's argument or option checks as commander's: its parser or its choices (commander's choices replace a parser). */
function withChecks<T extends Argument | Option>(x: T, spec: Omit<CliArgument, 'name'>): T {
  if (spec.parse) x.argParser(commanderParser(spec.parse));
  if (spec.choices) x.choices(spec.choices);
  return x;
}

function optionOf(o: CliOption): Option {
  const opt = withChecks(new Option(o.flags, o.description), o);
  // A key commander does not use would hand `run` nothing, silently.
  if (o.key !== undefined && o.key !== opt.attributeName()) throw new Error(`option ${o.flags} is read as '${opt.attributeName()}', not '${o.key}'`);
  if (o.required) opt.makeOptionMandatory();
  if (o.default !== undefined) opt.default(o.default);
  if (o.conflicts) opt.conflicts(o.conflicts as string[]);
  return opt;
}

/**
 * Words from the shell as the command core takes them. A pasted argument may carry control
 * characters, which the chat schema refuses; the CLI took them and shows them as visible symbols,
 * as everything it prints, so they are made visible here (␛ for ESC) rather than refused.
 */
function visible(value: unknown): unknown {
  if (typeof value === 'string') return terminalSafe(value);
  return Array.isArray(value) ? value.map(visible) : value;
}

function checked<T>(schema: z.ZodType<T, unknown>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? 'invalid command');
  return parsed.data;
}

/** Text exactly as given (an export), into a file or to stdout. */
async function writeOut(text: string, file?: string): Promise<void> {
  if (file) await writeFile(file, text);
  else process.stdout.write(text);
}

function addForm(parent: Command, form: CliForm<unknown>, forms: AnyForms, schema: z.ZodType<unknown, unknown>, ctx: CliContext): void {
  const cmd = parent.command(form.name).description(form.description);
  if (form.recipient !== false) addRecipientOptions(cmd);
  for (const a of form.arguments ?? []) cmd.addArgument(withChecks(new Argument(a.name, a.description), a));
  for (const o of form.options ?? []) cmd.addOption(optionOf(o));
  cmd.option('--json', `print ${form.jsonWhat ?? 'the result'} as JSON`);
  if (form.optionLikeWords !== undefined) cmd.allowUnknownOption();
  cmd.action(async (...given: unknown[]) => {
    // commander passes the arguments, then the options, then the command.
    // Recipient ids stay as given: their own check refuses control characters.
    const o = Object.fromEntries(Object.entries(given.at(-2) as Opts).map(([k, v]) => [k, k === 'user' || k === 'channel' ? v : visible(v)])) as Opts;
    const args = given.slice(0, -2).map(visible);
    // A stray long option swallowed with the words is a mistake, not a word.
    const what = form.optionLikeWords;
    if (what !== undefined) for (const a of args) if (Array.isArray(a)) joinWords(a as string[], what);
    const input = { args, opts: o };
    const command = checked(schema, form.build(input, o.channel !== undefined ? 'channel' : 'user'));
    const extra = forms.extra ? checked(forms.extra, input) : undefined;
    await ctx.withApp(async (app) => {
      const result = await forms.run(app, cliCommandContext(o), command, extra);
      if (forms.write && (await forms.write(result, extra, { write: writeOut, printJson: ctx.printJson } satisfies CliOutput))) return;
      if (o.json) ctx.printJson(forms.json ? forms.json(result, extra) : result);
      else ctx.print(forms.print(result, extra));
    });
  });
}

/** Registers the CLI forms of these definitions (those without a `cli` block add nothing). */
export const registerDefinitions =
  (definitions: readonly CommandDefinition[]): RegisterCommand =>
  (program, ctx) => {
    const groups = new Map<string, Command>();
    for (const d of definitions) {
      const forms = d.cli as AnyForms | undefined;
      if (!forms) continue;
      const schema = (forms.schema ?? d.schema) as z.ZodType<unknown, unknown>;
      for (const form of forms.forms) {
        if (form.group === undefined) {
          addForm(program, form, forms, schema, ctx);
          continue;
        }
        let group = groups.get(form.group);
        if (!group) {
          group = program.command(form.group).description(forms.groups?.[form.group] ?? '');
          groups.set(form.group, group);
        }
        addForm(group, form, forms, schema, ctx);
      }
    }
  };

/** The top-level words these definitions add to `paperfeed`, in order. */
export const cliWords = (definitions: readonly CommandDefinition[]): string[] => [
  ...new Set(definitions.flatMap((d) => (d.cli as AnyForms | undefined)?.forms.map((f) => f.group ?? f.name) ?? [])),
];

/** The registrar of the definitions one command file exports (for src/cli/registrars.ts: that file alone). */
export async function definitionsIn(file: Promise<Record<string, unknown>>): Promise<{ register: RegisterCommand }> {
  return { register: registerDefinitions(Object.values(await file).filter(isCommandDefinition)) };
}
