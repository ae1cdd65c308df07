// `topics ...` and `channel topics ...`: free-text topics a feed is scored against.
import { addTopic, formatTopics, listTopics, removeTopic, type Recipient } from '../recommend/index.ts';
import type { CommandDeps } from './deps.ts';
import { z } from 'zod';
import { PROFILE_LIMITS } from '../recommend/profile.ts';
import { COMMAND_LIMITS, scopeSchema, textArg } from './command.ts';
import { need, optional, textOption, whoseFeed } from './slash-form.ts';
import { after, defineCommand, sub, type ParseCall, type Words } from './definition.ts';
import { channelRecipient, clockOf, requireChannelAdmin, userRecipient, type CommandContext } from './context.ts';
import { literal } from './markup.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type TopicsCommand = z.output<typeof topicsSchema>;

const whose = (r: Recipient): string => (r.kind === 'user' ? 'Your' : "This channel's");

export async function topics(app: CommandDeps, ctx: CommandContext, cmd: TopicsCommand): Promise<Reply> {
  const now = clockOf(ctx);
  if (cmd.op === 'list') {
    const r = cmd.scope === 'channel' ? channelRecipient(ctx) : userRecipient(ctx);
    const list = await listTopics(app, r);
    const text = list.length ? `**${whose(r)} topics**\n${formatTopics(list, literal)}` : `${whose(r)} feed has no topics yet. Add one: \`${cmd.scope === 'channel' ? 'channel ' : ''}topics add <text>\``;
    return okReply(text, 'private');
  }
  const r = cmd.scope === 'channel' ? await requireChannelAdmin(ctx, 'the topics') : userRecipient(ctx);
  if (cmd.op === 'add') {
    const res = await addTopic(app, r, cmd.text, { now, ...(cmd.weight !== undefined ? { weight: cmd.weight } : {}) });
    const verb = res.added ? 'Added' : 'Already there:';
    return okReply(`${verb} topic ${res.topic.position}, ${quote(res.topic.text, 120)}${r.kind === 'channel' ? ' (channel)' : ''}.`, 'private');
  }
  const removed = await removeTopic(app, r, cmd.ref, { now });
  return okReply(`Removed topic ${quote(removed.text, 120)}${r.kind === 'channel' ? ' (channel)' : ''}.`, 'private');
}

const topicsSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('topics'), scope: scopeSchema, op: z.literal('list') }),
  z.object({
    name: z.literal('topics'),
    scope: scopeSchema,
    op: z.literal('add'),
    text: textArg('a topic', COMMAND_LIMITS.topic),
    weight: z.number().min(PROFILE_LIMITS.minWeight).max(PROFILE_LIMITS.maxWeight).optional(),
  }),
  z.object({ name: z.literal('topics'), scope: scopeSchema, op: z.literal('remove'), ref: textArg('the topic to remove', COMMAND_LIMITS.topic) }),
]);

function parseTopics(w: Words, { scope, usage }: ParseCall): z.input<typeof topicsSchema> | Reply {
  const op = sub(w.args[0]) ?? 'list';
  const text = after(w.args, 1);
  switch (op) {
    case 'list':
      return { name: 'topics', scope, op: 'list' };
    case 'add':
      return text ? { name: 'topics', scope, op: 'add', text } : usage('Say which topic to add');
    case 'remove':
      return text ? { name: 'topics', scope, op: 'remove', ref: text } : usage('Say which topic to remove (its number or text)');
    default:
      return usage(`\`topics ${op.slice(0, 40)}\` is not a topics command`);
  }
}

export const topicsCommand = defineCommand({
  name: 'topics',
  aliases: ['topic'],
  schema: topicsSchema,
  usage: {
    forms: ['topics add <text>', 'topics list', 'topics remove <number | text>'],
    summary: 'free-text topics your picks are scored against',
  },
  channelForms: ['channel topics add <text>', 'channel topics list', 'channel topics remove <number | text>'],
  parse: parseTopics,
  discord: {
    groups: { topics: 'Free-text topics your picks are scored against' },
    forms: (scope) => [
      {
        group: 'topics',
        name: 'add',
        description: `Add a topic to ${whoseFeed(scope)} feed, in a few words`,
        options: [
          textOption('text', 'The topic, e.g. "diffusion models for inverse problems"', COMMAND_LIMITS.topic),
          {
            type: 'number',
            name: 'weight',
            description: `How much it counts, ${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight} (default 1)`,
            required: false,
            min: PROFILE_LIMITS.minWeight,
            max: PROFILE_LIMITS.maxWeight,
          },
        ],
        build: (o) => ({ name: 'topics' as const, scope, op: 'add' as const, text: need(o, 'text'), ...optional('weight', o.number('weight')) }),
      },
      { group: 'topics', name: 'list', description: `List ${whoseFeed(scope)} topics`, build: () => ({ name: 'topics' as const, scope, op: 'list' as const }) },
      {
        group: 'topics',
        name: 'remove',
        description: `Remove one of ${whoseFeed(scope)} topics`,
        options: [textOption('topic', 'The topic (its number or text)', COMMAND_LIMITS.topic, { autocomplete: true })],
        build: (o) => ({ name: 'topics' as const, scope, op: 'remove' as const, ref: need(o, 'topic') }),
      },
    ],
  },
  run: topics,
});
