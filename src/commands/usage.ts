// Help and usage text, derived from the command definitions (registry.ts), and the `help` command.
import { z } from 'zod';
import { defineCommand, type Usage } from './definition.ts';
import { COMMANDS, commandNames, definitionOf } from './registry.ts';
import { usageReply, okReply } from './replies.ts';
import { choiceOption, optional, type SlashOption } from './slash-form.ts';
import type { Reply } from './reply.ts';

export type { Usage };

const CHANNEL_SUMMARY = "the channel's own feed and digest (changes: channel admins only)";

/** `channel ...` forms: the families that also work on the channel's settings (changes need a channel admin). */
export function channelUsage(): Usage {
  return { forms: COMMANDS.flatMap((d) => d.channelForms ?? []), summary: CHANNEL_SUMMARY };
}

/** The commands with `channel ...` forms. */
export const channelFamilies = (): string[] => COMMANDS.filter((d) => d.channelForms).map((d) => d.name);

const code = (s: string): string => `\`${s}\``;

function usageOf(u: Usage): string {
  return u.forms.map(code).join(', ');
}

/** The short usage reply for a malformed command: what went wrong and the right form. */
export function usageFor(name: string, problem?: string): Reply {
  const u = name === 'channel' ? channelUsage() : (definitionOf(name)?.usage ?? definitionOf('help')!.usage);
  const lead = problem ? `${problem}. ` : '';
  return usageReply(`${lead}Usage: ${usageOf(u)}`);
}

/** Usage for text that names no command at all. */
export function unknownCommand(word: string): Reply {
  const known = commandNames().join(', ');
  return usageReply(`Unknown command ${code(word.slice(0, 40))}. Commands: ${known}, channel. Try ${code('help')}.`);
}

/** `help` (everything) or `help <command>`. */
export function helpReply(topic?: string): Reply {
  const t = topic?.trim().toLowerCase();
  if (t) {
    const u = t === 'channel' ? channelUsage() : definitionOf(t)?.usage;
    if (!u) return unknownCommand(t);
    return okReply(`${u.summary}\n${usageOf(u)}`, 'private');
  }
  const lines = ['**paperfeed commands**'];
  for (const { usage: u } of COMMANDS) lines.push(`${u.forms.map(code).join(' · ')} — ${u.summary}`);
  lines.push(`${code(`channel ${channelFamilies().join('|')} ...`)} — ${CHANNEL_SUMMARY}`);
  return okReply(lines.join('\n'), 'private');
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?'],
  schema: z.object({ name: z.literal('help'), topic: z.string().max(40).optional() }),
  usage: { forms: ['help', 'help <command>'], summary: 'this list' },
  parse: (w) => ({ name: 'help' as const, ...(w.rest ? { topic: w.rest.slice(0, 40) } : {}) }),
  discord: {
    forms: [
      {
        name: 'help',
        description: 'What paperfeed can do',
        // Read when the spec is built, after every definition (this one is listed last).
        get options(): SlashOption[] {
          const topics = [...commandNames().filter((n) => n !== 'help'), 'channel'];
          return [choiceOption('command', 'Help on one command', topics, false)];
        },
        build: (o) => ({ name: 'help' as const, ...optional('topic', o.string('command')) }),
      },
    ],
  },
  run: (_app, _ctx, cmd) => helpReply(cmd.topic),
});
