// `help` and `help <command>`: the list of commands, rendered by usage.ts from every definition.
import { z } from 'zod';
import { defineCommand } from '../definition.ts';
import { choiceOption, optional } from '../slash-form.ts';

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?'],
  schema: z.object({ name: z.literal('help'), topic: z.string().max(40).optional() }),
  usage: { section: 'Help', forms: ['help', 'help <command>'], summary: 'this list' },
  parse: (w) => ({ name: 'help' as const, ...(w.rest ? { topic: w.rest.slice(0, 40) } : {}) }),
  discord: {
    forms: [
      {
        name: 'help',
        description: 'What paperfeed can do',
        // The choices are every command's name, known once all are loaded (the spec is built then).
        options: [choiceOption('command', 'Help on one command', (names) => [...names.filter((n) => n !== 'help'), 'channel'], false)],
        build: (o) => ({ name: 'help' as const, ...optional('topic', o.string('command')) }),
      },
    ],
  },
  // usage.ts reads the registry, which imports this file while it loads: imported when help runs,
  // since a static import would have the registry and this file wait for each other forever.
  run: async (_app, _ctx, cmd) => (await import('../usage.ts')).helpReply(cmd.topic),
});
