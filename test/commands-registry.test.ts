// The command definitions are the one source: names, aliases, help and the Discord spec all follow from them.
import { describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../bots/discord/command-spec.ts';
import { COMMANDS, helpReply, parseCommand, isReply } from '../src/commands/index.ts';

describe('the command registry', () => {
  it('has no word that names two commands', () => {
    const words = COMMANDS.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
    expect(new Set(words).size).toBe(words.length);
    expect(words).not.toContain('channel');
  });

  it('lists every command in help, with its forms', () => {
    const help = helpReply().text;
    for (const d of COMMANDS) for (const form of d.usage.forms) expect(help).toContain(`\`${form}\``);
    expect(help).toMatch(/`channel digest\|keywords\|topics \.\.\.`/);
  });

  it('reads every typed command by its name and by each alias', () => {
    for (const d of COMMANDS.filter((c) => c.parse)) {
      for (const word of [d.name, ...(d.aliases ?? [])]) {
        const r = parseCommand(`${word} x`);
        // Either the command itself or its own usage reply: never "Unknown command".
        if (isReply(r)) expect(r.text).not.toMatch(/^Unknown command/);
        else expect(r.name).toBe(d.name);
      }
    }
  });

  it('builds each Discord subcommand into a command of the definition it came from', () => {
    for (const d of COMMANDS) expect(SUBCOMMANDS.some((s) => s.usage === d.name)).toBe(true);
    const channel = SUBCOMMANDS.filter((s) => s.group === 'channel');
    expect(new Set(channel.map((s) => s.usage))).toEqual(new Set(['channel']));
    const families = COMMANDS.filter((d) => d.channelForms).map((d) => d.name);
    expect(new Set(channel.map((s) => s.name.split('-')[0]))).toEqual(new Set(families));
  });
});
