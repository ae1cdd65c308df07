// The `paperfeed` subcommands derived from the chat command definitions' CLI forms
// (src/commands/cli-form.ts): `topics add|list|remove|weight`, `keywords add|remove|list`, ...
import { Argument, type Command, Option } from 'commander';
import type { CliArgument, CliForm, CliForms, CliOption } from '../../commands/cli-form.ts';
import { commandSchema, COMMANDS } from '../../commands/registry.ts';
import { UserError } from '../../errors.ts';
import { terminalSafe } from '../../terminal-text.ts';
import type { CliContext, RegisterCommand } from '../context.ts';
import { commanderParser } from '../options.ts';
import { addRecipientOptions, cliCommandContext, joinWords, type RecipientOpts } from '../recipient-options.ts';

type Opts = RecipientOpts & { json?: boolean } & Record<string, unknown>;

/** A form's argument or option checks as commander's: its parser or its choices (commander's choices replace a parser). */
function withChecks<T extends Argument | Option>(x: T, spec: Omit<CliArgument, 'name'>): T {
  if (spec.parse) x.argParser(commanderParser(spec.parse));
  if (spec.choices) x.choices(spec.choices);
  return x;
}

function optionOf(o: CliOption): Option {
  const opt = withChecks(new Option(o.flags, o.description), o);
  if (o.required) opt.makeOptionMandatory();
  if (o.default !== undefined) opt.default(o.default);
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

function addForm(parent: Command, form: CliForm<unknown>, forms: CliForms<unknown, unknown, unknown>, ctx: CliContext): void {
  const cmd = addRecipientOptions(parent.command(form.name).description(form.description));
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
    const built = form.build({ args, opts: o }, o.channel !== undefined ? 'channel' : 'user');
    const parsed = commandSchema.safeParse(built);
    if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? 'invalid command');
    await ctx.withApp(async (app) => {
      const result = await forms.run(app, cliCommandContext(o), parsed.data);
      if (o.json) ctx.printJson(forms.json ? forms.json(result) : result);
      else ctx.print(forms.print(result));
    });
  });
}

export const register: RegisterCommand = (program, ctx) => {
  const groups = new Map<string, Command>();
  for (const d of COMMANDS) {
    const forms = (d as { cli?: CliForms<unknown, unknown, unknown> }).cli;
    if (!forms) continue;
    for (const form of forms.forms) {
      if (form.group === undefined) {
        addForm(program, form, forms, ctx);
        continue;
      }
      let group = groups.get(form.group);
      if (!group) {
        group = program.command(form.group).description(forms.groups?.[form.group] ?? '');
        groups.set(form.group, group);
      }
      addForm(group, form, forms, ctx);
    }
  }
};
