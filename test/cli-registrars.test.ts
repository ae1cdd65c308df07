/**
 * A CLI run loads only the command file its command lives in (src/cli/registrars.ts): the table of
 * which file defines which commands must match what the files register, the command word must be
 * found behind any global options (bin/command-word.js), and anything the table cannot place
 * (help, an unknown command, a global option missing its value) must load every file so that
 * commander's help and errors stay whole.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandOf, GLOBAL_OPTIONS_WITH_VALUE } from '../bin/command-word.js';
import type { CliContext, RegisterCommand } from '../src/cli/context.ts';
import { COMMAND_FILES, LIGHT_FILES, registrarsFor } from '../src/cli/registrars.ts';
import { runCli } from './helpers/cli.ts';

const noCtx = {} as CliContext; // registering a command never uses the context

const registered = (registers: RegisterCommand[]): string[] => {
  const program = new Command('paperfeed');
  for (const register of registers) register(program, noCtx);
  return program.commands.map((c) => c.name());
};

const argv = (...args: string[]) => ['node', 'paperfeed', ...args];

describe('the command word', () => {
  it('is the first argument that is not a global option or its value', () => {
    expect(commandOf(['similar', 'x'])).toBe('similar');
    expect(commandOf(['--data-dir', '/d', '--log-level', 'warn', 'search', 'a', '-k', '3'])).toBe('search');
    expect(commandOf(['--data-dir=/d', 'similar', 'x'])).toBe('similar');
    expect(commandOf(['--help'])).toBeUndefined();
    expect(commandOf(['--data-dir'])).toBeUndefined();
    expect(commandOf([])).toBeUndefined();
  });

  it('knows every global option that takes a value (the ones --help lists before the commands)', async () => {
    const help = await runCli(['--help']);
    const options = help.stdout.slice(0, help.stdout.indexOf('Commands:'));
    const withValue = [...options.matchAll(/^\s+(--[a-z-]+) </gm)].map((m) => m[1]);
    expect(withValue.sort()).toEqual([...GLOBAL_OPTIONS_WITH_VALUE].sort());
  });
});

/** Every command word: the hand-written files' and those derived from the chat definitions. */
const everything = async (): Promise<string[]> => (await Promise.all(COMMAND_FILES.map(async (f) => f.commands ?? (await f.load()).commands!))).flat();

describe('command files', () => {
  it('each file registers exactly the commands the table (or, for the derived ones, core.ts) says, and no command is in two files', async () => {
    for (const file of COMMAND_FILES) {
      const m = await file.load();
      expect(registered([m.register])).toEqual(file.commands ?? m.commands);
    }
    const all = await everything();
    expect(all).toEqual(expect.arrayContaining(['ingest', 'reindex', 'similar', 'search', 'picks', 'profile', 'saved', 'ask', 'library', 'topics', 'categories', 'serve']));
    expect(new Set(all).size).toBe(all.length);
  });

  it('a light file registers its derived commands as core.ts does, and nothing else', async () => {
    const derived = (await COMMAND_FILES.find((f) => !f.commands)!.load()).commands!;
    for (const file of LIGHT_FILES) {
      expect(registered([(await file.load()).register]).sort()).toEqual([...file.commands].sort());
      expect(derived).toEqual(expect.arrayContaining([...file.commands]));
    }
  });

  it('a command, after any global options, loads only its own file', async () => {
    for (const args of [
      ['similar', '2401.00001'],
      ['--data-dir', '/tmp/x', '--log-level', 'warn', 'similar', 'graph', '-k', '3', '--json'],
      ['search', '--help'],
    ]) {
      expect(registered(await registrarsFor(argv(...args))).sort()).toEqual(['search', 'similar']);
    }
    expect(registered(await registrarsFor(argv('--data-dir=/tmp/x', 'reindex')))).toEqual(['ingest', 'list', 'show', 'stats', 'export', 'reindex']);
    expect(registered(await registrarsFor(argv('serve', '--port', '0')))).toEqual(['serve']);
    // A derived command no table lists: only the derived commands are registered.
    const core = (await COMMAND_FILES.find((f) => !f.commands)!.load()).register;
    expect(await registrarsFor(argv('profile', '--user', 'a'))).toEqual([core]);
    expect(await registrarsFor(argv('library', 'import', 'refs.bib'))).toEqual([core]);
  });

  it('help, an unknown command or a global option missing its value loads every file', async () => {
    const all = await everything();
    for (const args of [[], ['--help'], ['help', 'similar'], ['simlar', 'x'], ['--data-dir']]) {
      expect(registered(await registrarsFor(argv(...args)))).toEqual(all);
    }
  });
});

describe('the executable with commands loaded on demand', () => {
  it('--help lists every command, and a mistyped one is still suggested', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of await everything()) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await runCli(['simlar', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command');
    expect(typo.stderr).toContain('similar');
  });

  it('a malformed global option is reported once', async () => {
    for (const args of [['similar', 'x', '--data-dir'], ['--data-dir'], ['--log-level', 'bad', 'similar', 'x']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.match(/error: option/g)).toHaveLength(1);
    }
  });
});
