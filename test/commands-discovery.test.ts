// The registry finds the commands: a folder of definition files is all it takes. A sample folder
// (test/fixtures/command-definitions/good) gets help lines, parsing, dispatch, Discord subcommands
// and CLI subcommands without being listed anywhere; a folder that breaks the rules is refused,
// naming the files; and the real definitions folder follows the same rules.
import { readdir } from 'node:fs/promises';
import { Command as Commander } from 'commander';
import { describe, expect, it } from 'vitest';
import { subcommandsOf } from '../bots/discord/command-spec.ts';
import type { CliContext } from '../src/cli/context.ts';
import { registerDefinitions } from '../src/cli/derived.ts';
import { isCommandDefinition, SECTIONS, type CommandDefinition } from '../src/commands/definition.ts';
import type { CommandDeps } from '../src/commands/deps.ts';
import { executeCommand, isReply, parseCommand, type Command, type CommandContext } from '../src/commands/index.ts';
import { CATALOG, catalogOf, COMMANDS, loadDefinitions } from '../src/commands/registry.ts';
import { helpReply } from '../src/commands/usage.ts';
import type { App } from '../src/service/app.ts';

const fixtures = new URL('./fixtures/command-definitions/', import.meta.url);
const folder = (name: string): URL => new URL(`${name}/`, fixtures);

const ctx: CommandContext = { platform: 'slack', userId: 'U1', isChannelAdmin: async () => false };
// The sample commands' handlers read nothing of the app.
const noDeps = {} as CommandDeps;

describe('loadDefinitions on a sample folder', () => {
  it('takes every definition the files export, by help section, then file name, then the order a file defines them in', async () => {
    const definitions = await loadDefinitions(folder('good'));
    // about.ts sorts first but is in a later section; sample.ts defines echo before count.
    expect(definitions.map((d) => d.name)).toEqual(['echo', 'count', 'about']);
  });

  it('derives help, parsing and dispatch from them', async () => {
    const catalog = catalogOf(await loadDefinitions(folder('good')));
    const help = helpReply(undefined, catalog).text;
    expect(help).toContain('**Your picks**\n`echo <text>` — the text back\n`count <words>` — how many words\n\n**Help**\n`about` — what this is');
    expect(help).not.toContain('**Finding papers**');
    expect(helpReply('echo', catalog).text).toBe('the text back\n`echo <text>`');

    const echo = parseCommand('say hello  there', catalog);
    expect(echo).toEqual({ name: 'echo', text: 'hello there' });
    expect(parseCommand('count a b c', catalog)).toEqual({ name: 'count', words: ['a', 'b', 'c'] });
    const missing = parseCommand('echo', catalog);
    expect(isReply(missing) && missing.text).toBe('Say what. Usage: `echo <text>`');
    const tooLong = parseCommand(`echo ${'x'.repeat(51)}`, catalog);
    expect(isReply(tooLong) && tooLong.text).toMatch(/^Too big.*Usage: `echo <text>`$/);
    const unknown = parseCommand('today', catalog);
    expect(isReply(unknown) && unknown.text).toMatch(/^Unknown command `today`\. Commands: echo, count, about, channel\./);

    expect((await executeCommand(noDeps, ctx, echo as Command, catalog)).text).toBe('U1 said: hello there');
    expect((await executeCommand(noDeps, ctx, { name: 'count', words: ['a'] }, catalog)).text).toBe('1 words');
    // Validated against the sample's schema before its handler runs.
    expect((await executeCommand(noDeps, ctx, { name: 'echo', text: '' }, catalog)).text).toBe('The text is missing. Usage: `echo <text>`');
  });

  it('derives the Discord subcommands and the CLI subcommands', async () => {
    const definitions = await loadDefinitions(folder('good'));
    const specs = subcommandsOf(definitions);
    expect(specs.map((s) => s.name)).toEqual(['echo']);
    expect(specs[0]!.options).toEqual([{ type: 3, name: 'text', description: 'What to echo', required: true, max_length: 50 }]);
    expect(specs[0]!.build({ string: () => 'hi', integer: () => undefined, number: () => undefined })).toEqual({ name: 'echo', text: 'hi' });

    const printed: unknown[] = [];
    const cli: CliContext = { withApp: (fn) => fn({} as App), print: (t) => printed.push(t), printJson: (v) => printed.push(v) };
    const program = new Commander('paperfeed').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    registerDefinitions(definitions)(program, cli);
    expect(program.commands.map((c) => c.name())).toEqual(['echo']);
    await program.parseAsync(['echo', 'from the shell'], { from: 'user' });
    expect(printed).toEqual(['from the shell']);
  });
});

describe('loadDefinitions refuses a folder that breaks the rules', () => {
  it('names a file that exports no command', async () => {
    await expect(loadDefinitions(folder('no-definition'))).rejects.toThrow(/no-definition\/helpers\.ts is in the command definitions folder but exports no command/);
  });

  it('names both files when two commands claim one word', async () => {
    await expect(loadDefinitions(folder('duplicate'))).rejects.toThrow(/the command word 'about' is defined twice: in \S*duplicate\/about\.ts and in \S*duplicate\/shout\.ts/);
  });

  it('names the file and the section when a usage names no known section', async () => {
    await expect(loadDefinitions(folder('bad-section'))).rejects.toThrow(/bad-section\/lost\.ts: command 'lost' names the help section 'Elsewhere'/);
  });
});

describe('the commands folder', () => {
  const definitionsDir = new URL('../src/commands/definitions/', import.meta.url);

  it('every file in it contributes at least one command to the registry', async () => {
    const files = (await readdir(definitionsDir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const exported = Object.values((await import(new URL(file, definitionsDir).href)) as Record<string, unknown>).filter(isCommandDefinition);
      expect(exported.length, file).toBeGreaterThan(0);
      for (const d of exported) expect(COMMANDS, `${file}: ${d.name}`).toContain(d);
    }
  });

  it('lists the commands section by section, help last', () => {
    const sections = COMMANDS.map((d) => SECTIONS.indexOf(d.usage.section));
    expect(sections).toEqual([...sections].sort((a, b) => a - b));
    expect(COMMANDS.at(-1)!.name).toBe('help');
    const help = helpReply().text;
    const headings = [...help.matchAll(/^\*\*(.+)\*\*$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['paperfeed commands', ...SECTIONS, 'In a channel']);
  });

  it('help offers every other command as a Discord choice, in help order', () => {
    const help = subcommandsOf(COMMANDS).find((s) => s.name === 'help')!;
    const choices = (help.options[0] as { choices: { value: string }[] }).choices.map((c) => c.value);
    expect(choices).toEqual([...COMMANDS.filter((d) => d.name !== 'help').map((d) => d.name), 'channel']);
  });

  /** A usage form as someone would type it: `up <arXiv id | title>` → `up x`. */
  const typed = (form: string): string => form.replace(/<[^>]*>/g, 'x').replace(/\[[^\]]*\]/g, '');
  const formsOf = (d: CommandDefinition): string[] => [...d.usage.forms, ...(d.channelForms ?? [])].map(typed);
  const call = { scope: 'user' as const, usage: () => ({ kind: 'usage', text: 'usage', visibility: 'private', cards: [] }) as never };

  it('a parse hook claims its own forms and no other command’s, so their order does not matter', () => {
    const hooked = COMMANDS.filter((d) => d.parseText || d.parseWords);
    expect(hooked.map((d) => d.name).sort()).toEqual(['feedback', 'library']);
    for (const d of hooked) {
      const claims = (text: string) => (d.parseText?.(text, call) ?? d.parseWords?.(text.split(' ').filter(Boolean), call)) !== undefined;
      for (const form of formsOf(d)) expect(claims(form), `${d.name} on its own ${form}`).toBe(true);
      for (const other of CATALOG.commands.filter((o) => o !== d)) {
        for (const form of formsOf(other)) expect(claims(form), `${d.name} on ${other.name}'s ${form}`).toBe(false);
      }
    }
  });
});
