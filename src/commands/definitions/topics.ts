// `topics ...` and `channel topics ...`: free-text topics a feed is scored against.
import { addTopic, formatTopics, listTopics, removeTopic, weightTopic, type Recipient, type TopicView } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { z } from 'zod';
import { PROFILE_LIMITS } from '../../recommend/profile.ts';
import { COMMAND_LIMITS, scopeSchema, textArg } from '../command.ts';
import { need, optional, textOption, whoseFeed } from '../slash-form.ts';
import { wordsOf, type CliForms } from '../cli-form.ts';
import { after, defineCommand, sub, type ParseCall, type Words } from '../definition.ts';
import { changedRecipient, clockOf, scopedRecipient, type CommandContext } from '../context.ts';
import { literal } from '../markup.ts';
import { okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

type TopicsCommand = z.output<typeof topicsSchema>;

const whose = (r: Recipient): string => (r.kind === 'user' ? 'Your' : "This channel's");

/** What a topics command did, for chat and the CLI to show each in its way. */
type TopicsResult =
  | { op: 'list'; recipient: Recipient; list: TopicView[] }
  | { op: 'add'; recipient: Recipient; added: boolean; topic: TopicView }
  | { op: 'remove' | 'weight'; recipient: Recipient; topic: TopicView };

async function applyTopics(app: CommandDeps, ctx: CommandContext, cmd: TopicsCommand): Promise<TopicsResult> {
  const now = clockOf(ctx);
  if (cmd.op === 'list') {
    const recipient = scopedRecipient(ctx, cmd.scope);
    return { op: 'list', recipient, list: await listTopics(app, recipient) };
  }
  const recipient = await changedRecipient(ctx, cmd.scope, 'the topics');
  switch (cmd.op) {
    case 'add':
      return { op: 'add', recipient, ...(await addTopic(app, recipient, cmd.text, { now, ...(cmd.weight !== undefined ? { weight: cmd.weight } : {}) })) };
    case 'remove':
      return { op: 'remove', recipient, topic: await removeTopic(app, recipient, cmd.ref, { now }) };
    case 'weight':
      return { op: 'weight', recipient, topic: await weightTopic(app, recipient, cmd.ref, cmd.weight, { now }) };
  }
}

function topicsReply(res: TopicsResult, scope: TopicsCommand['scope']): Reply {
  const r = res.recipient;
  const where = r.kind === 'channel' ? ' (channel)' : '';
  switch (res.op) {
    case 'list':
      return okReply(
        res.list.length ? `**${whose(r)} topics**\n${formatTopics(res.list, literal)}` : `${whose(r)} feed has no topics yet. Add one: \`${scope === 'channel' ? 'channel ' : ''}topics add <text>\``,
        'private',
      );
    case 'add':
      return okReply(`${res.added ? 'Added' : 'Already there:'} topic ${res.topic.position}, ${quote(res.topic.text, 120)}${where}.`, 'private');
    case 'remove':
      return okReply(`Removed topic ${quote(res.topic.text, 120)}${where}.`, 'private');
    case 'weight':
      return okReply(`Topic ${res.topic.position}, ${quote(res.topic.text, 120)}${where}, now has weight ${res.topic.weight}.`, 'private');
  }
}

export async function topics(app: CommandDeps, ctx: CommandContext, cmd: TopicsCommand): Promise<Reply> {
  return topicsReply(await applyTopics(app, ctx, cmd), cmd.scope);
}

const topicWeight = z.number().min(PROFILE_LIMITS.minWeight).max(PROFILE_LIMITS.maxWeight);

const topicsSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('topics'), scope: scopeSchema, op: z.literal('list') }),
  z.object({
    name: z.literal('topics'),
    scope: scopeSchema,
    op: z.literal('add'),
    text: textArg('a topic', COMMAND_LIMITS.topic),
    weight: topicWeight.optional(),
  }),
  z.object({ name: z.literal('topics'), scope: scopeSchema, op: z.literal('remove'), ref: textArg('the topic to remove', COMMAND_LIMITS.topic) }),
  // The CLI's `topics weight`; in chat a weight is given with `add`.
  z.object({ name: z.literal('topics'), scope: scopeSchema, op: z.literal('weight'), ref: textArg('the topic to weight', COMMAND_LIMITS.topic), weight: topicWeight }),
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

function parseWeight(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < PROFILE_LIMITS.minWeight || n > PROFILE_LIMITS.maxWeight) {
    throw new Error(`expected a weight from ${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight}, got '${v}'`);
  }
  return n;
}

const topicsCli: CliForms<z.input<typeof topicsSchema>, TopicsCommand, TopicsResult> = {
  groups: { topics: "a profile's free-text topics (each embedded; picks are scored by the closest)" },
  forms: [
    {
      group: 'topics',
      name: 'add',
      description: 'add a topic, e.g. "diffusion models for inverse problems"',
      arguments: [{ name: '<text...>', description: 'the topic, in a few words' }],
      options: [{ flags: '--weight <w>', description: `how much it counts, ${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight} (default 1)`, parse: parseWeight }],
      build: (i, scope) => ({ name: 'topics', scope, op: 'add', text: wordsOf(i), ...optional('weight', i.opts.weight as number | undefined) }),
    },
    { group: 'topics', name: 'list', description: 'list the topics', build: (_i, scope) => ({ name: 'topics', scope, op: 'list' }) },
    {
      group: 'topics',
      name: 'remove',
      description: 'remove a topic, by its number in `topics list` or its text',
      arguments: [{ name: '<topic...>', description: 'number or text' }],
      build: (i, scope) => ({ name: 'topics', scope, op: 'remove', ref: wordsOf(i) }),
    },
    {
      group: 'topics',
      name: 'weight',
      description: "change a topic's weight (its similarity is multiplied by it)",
      arguments: [
        { name: '<topic>', description: 'number or text (quote it)' },
        { name: '<weight>', description: `${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight}`, parse: parseWeight },
      ],
      build: (i, scope) => ({ name: 'topics', scope, op: 'weight', ref: i.args[0] as string, weight: i.args[1] as number }),
    },
  ],
  run: applyTopics,
  print(res) {
    switch (res.op) {
      case 'list':
        return formatTopics(res.list);
      case 'add':
        return `${res.added ? 'Added' : 'Updated'} topic ${res.topic.position}: ${res.topic.text}${res.topic.weight === 1 ? '' : ` (weight ${res.topic.weight})`}`;
      case 'remove':
        return `Removed topic: ${res.topic.text}`;
      case 'weight':
        return `Topic ${res.topic.position} '${res.topic.text}' now has weight ${res.topic.weight}`;
    }
  },
  // As the operations return them.
  json: (res) => (res.op === 'list' ? res.list : res.op === 'add' ? { topic: res.topic, added: res.added } : res.topic),
};

export const topicsCommand = defineCommand({
  name: 'topics',
  aliases: ['topic'],
  schema: topicsSchema,
  usage: {
    section: 'Your feed',
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
  cli: topicsCli,
  run: topics,
});
