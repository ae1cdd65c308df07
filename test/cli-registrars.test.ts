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
import { COMMAND_FILES, registrarsFor } from '../src/cli/registrars.ts';
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

describe('command files', () => {
  it('each file registers exactly the commands the table says, and no command is in two files', async () => {
    for (const file of COMMAND_FILES) {
      expect(registered([(await file.load()).register])).toEqual(file.commands);
    }
    const all = COMMAND_FILES.flatMap((f) => f.commands);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a command, after any global options, loads only its own file', async () => {
    const search = (await COMMAND_FILES.find((f) => f.commands.includes('similar'))!.load()).register;
    for (const args of [
      ['similar', '2401.00001'],
      ['--data-dir', '/tmp/x', '--log-level', 'warn', 'similar', 'graph', '-k', '3', '--json'],
      ['--data-dir=/tmp/x', 'reindex'],
      ['search', '--help'],
    ]) {
      expect(await registrarsFor(argv(...args))).toEqual([search]);
    }
    expect(registered(await registrarsFor(argv('serve', '--port', '0')))).toEqual(['serve']);
  });

  it('help, an unknown command or a global option missing its value loads every file', async () => {
    const everything = COMMAND_FILES.flatMap((f) => f.commands);
    for (const args of [[], ['--help'], ['help', 'similar'], ['simlar', 'x'], ['--data-dir']]) {
      expect(registered(await registrarsFor(argv(...args)))).toEqual(everything);
    }
  });
});

describe('the executable with commands loaded on demand', () => {
  it('--help lists every command, and a mistyped one is still suggested', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMAND_FILES.flatMap((f) => f.commands)) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
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
