/**
 * A CLI run loads only the command file its command lives in (src/cli/registrars.ts): the table of
 * which file defines which commands must match what the files register, and anything the table
 * cannot place (help, an unknown command, a malformed global option) must load every file so that
 * commander's help and errors stay whole.
 */
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext, RegisterCommand } from '../src/cli/context.ts';
import { COMMAND_FILES, registrarsFor } from '../src/cli/registrars.ts';
import { runCli } from './helpers/cli.ts';

const noCtx = {} as CliContext; // registering a command never uses the context

/** A program with main.ts's global options and no commands. */
const program = () =>
  new Command('paperfeed')
    .addOption(new Option('--data-dir <dir>'))
    .addOption(new Option('--log-level <level>').choices(['warn', 'info']));

const registered = (registers: RegisterCommand[]): string[] => {
  const p = program();
  for (const register of registers) register(p, noCtx);
  return p.commands.map((c) => c.name());
};

const argv = (...args: string[]) => ['node', 'paperfeed', ...args];

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
      expect(await registrarsFor(program(), argv(...args))).toEqual([search]);
    }
    expect(registered(await registrarsFor(program(), argv('serve', '--port', '0')))).toEqual(['serve']);
  });

  it('help, an unknown command or a global option missing its value loads every file', async () => {
    const everything = COMMAND_FILES.flatMap((f) => f.commands);
    for (const args of [[], ['--help'], ['help', 'similar'], ['simlar', 'x'], ['--data-dir'], ['--log-level', 'bad', 'similar']]) {
      expect(registered(await registrarsFor(program(), argv(...args)))).toEqual(everything);
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

  it('a malformed global option is reported once, before any command runs', async () => {
    const r = await runCli(['similar', 'x', '--data-dir']);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/argument missing/g)).toHaveLength(1);
    const first = await runCli(['--data-dir']);
    expect(first.stderr.match(/argument missing/g)).toHaveLength(1);
  });
});
