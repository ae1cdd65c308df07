// `mute` / `unmute`: keep an author, a keyword or a topic out of the feed for a while.
import { formatMute, mute as muteOp, unmute as unmuteOp, type MuteTarget, type MuteView } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { COMMAND_LIMITS, DEFAULT_MUTE_DAYS, scopeSchema, textArg } from '../command.ts';
import { choiceOption, need, oneOf, optional, textOption } from '../slash-form.ts';
import { countParser, type CliForms, type CliInput, type CliOption } from '../cli-form.ts';
import { defineCommand, type ParseCall, type Words } from '../definition.ts';
import { changedRecipient, clockOf, type CommandContext } from '../context.ts';
import { okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

type MuteCommand = z.output<typeof muteSchema>;
type UnmuteCommand = z.output<typeof unmuteSchema>;

const targetOf = (c: { kind: MuteCommand['kind']; value: string }): MuteTarget =>
  c.kind === 'author' ? { author: c.value } : c.kind === 'keyword' ? { keyword: c.value } : { topic: c.value };

const applyMute = async (app: CommandDeps, ctx: CommandContext, cmd: MuteCommand): Promise<MuteView> =>
  muteOp(app, await changedRecipient(ctx, cmd.scope, 'the mutes'), targetOf(cmd), cmd.days, { now: clockOf(ctx) });

const applyUnmute = async (app: CommandDeps, ctx: CommandContext, cmd: UnmuteCommand): Promise<MuteView> =>
  unmuteOp(app, await changedRecipient(ctx, cmd.scope, 'the mutes'), targetOf(cmd), { now: clockOf(ctx) });

export async function mute(app: CommandDeps, ctx: CommandContext, cmd: MuteCommand): Promise<Reply> {
  const m = await applyMute(app, ctx, cmd);
  const unknown = m.stored === false ? ' No stored paper is by them yet (names match as written on the papers).' : '';
  return okReply(`Muted ${m.kind} ${quote(m.value)} for ${cmd.days} ${cmd.days === 1 ? 'day' : 'days'} (until ${m.until.slice(0, 10)}).${unknown}`, 'private');
}

export async function unmute(app: CommandDeps, ctx: CommandContext, cmd: UnmuteCommand): Promise<Reply> {
  const m = await applyUnmute(app, ctx, cmd);
  return okReply(`Unmuted ${m.kind} ${quote(m.value)}.`, 'private');
}

const muteKind = z.enum(['author', 'keyword', 'topic']);
// Chat mutes are the user's own (no scope); the CLI's --channel mutes for a channel.
const muteSchema = z.object({
  name: z.literal('mute'),
  scope: scopeSchema.optional(),
  kind: muteKind,
  value: textArg('what to mute', COMMAND_LIMITS.topic),
  days: z.number().int().min(1).max(COMMAND_LIMITS.maxMuteDays).default(DEFAULT_MUTE_DAYS),
});
const unmuteSchema = z.object({ name: z.literal('unmute'), scope: scopeSchema.optional(), kind: muteKind, value: textArg('what to unmute', COMMAND_LIMITS.topic) });

const KIND_OPTION = choiceOption('kind', 'What to mute: an author, a keyword or a topic', muteKind.options);
const VALUE_OPTION = textOption('value', 'The author, keyword or topic', COMMAND_LIMITS.topic);

const MUTE_KINDS = { author: 'author', authors: 'author', keyword: 'keyword', keywords: 'keyword', word: 'keyword', topic: 'topic', topics: 'topic' } as const;

function parseMute(name: 'mute' | 'unmute', w: Words, { usage }: ParseCall): z.input<typeof muteSchema> | z.input<typeof unmuteSchema> | Reply {
  const kind = MUTE_KINDS[(w.args[0]?.toLowerCase() ?? '') as keyof typeof MUTE_KINDS];
  if (!kind) return usage(w.args[0] ? `Say what kind of thing to ${name}: author, keyword or topic` : undefined);
  let values = w.args.slice(1);
  if (name === 'unmute') return values.length ? { name, kind, value: values.join(' ') } : usage(`Say which ${kind}`);
  // A trailing "7", "7d" or "7 days" is the duration, when something is left to mute.
  let days: number | undefined;
  const last = values.at(-1)?.toLowerCase();
  const unit = last === 'days' || last === 'day' ? values.at(-2) : undefined;
  const num = /^(\d{1,6})(d|days?)?$/i.exec(unit ?? last ?? '');
  const used = unit ? 2 : 1;
  if (num && values.length > used) {
    days = Number(num[1]);
    values = values.slice(0, -used);
  }
  if (!values.length) return usage(`Say which ${kind} to mute`);
  return { name, kind, value: values.join(' '), ...(days !== undefined ? { days } : {}) };
}

// `paperfeed mute|unmute --author A | --keyword K | --topic T`.
const TARGET_OPTIONS: readonly CliOption[] = [
  { flags: '--author <name>', description: 'an author' },
  { flags: '--keyword <phrase>', description: 'a word or phrase in title or abstract' },
  { flags: '--topic <text>', description: 'a topic: papers as close to it as a pick would be to a topic' },
];

function cliTarget({ opts }: CliInput): { kind: MuteCommand['kind']; value: string } {
  const given = muteKind.options.filter((k) => opts[k] !== undefined);
  if (given.length !== 1) throw new UserError('give exactly one of --author, --keyword or --topic');
  return { kind: given[0]!, value: opts[given[0]!] as string };
}

const muteCli: CliForms<z.input<typeof muteSchema>, MuteCommand, MuteView> = {
  forms: [
    {
      name: 'mute',
      description: 'hide an author, a keyword or a topic for some days',
      options: [...TARGET_OPTIONS, { flags: '--days <n>', description: 'for how many days', required: true, parse: countParser(1, COMMAND_LIMITS.maxMuteDays) }],
      build: (i, scope) => ({ name: 'mute', scope, ...cliTarget(i), days: i.opts.days as number }),
    },
  ],
  run: applyMute,
  print: formatMute,
};

const unmuteCli: CliForms<z.input<typeof unmuteSchema>, UnmuteCommand, MuteView> = {
  forms: [{ name: 'unmute', description: 'end a mute early', options: TARGET_OPTIONS, build: (i, scope) => ({ name: 'unmute', scope, ...cliTarget(i) }) }],
  run: applyUnmute,
  print: (m) => `Unmuted ${m.kind} '${m.value}'.`,
};

export const muteCommand = defineCommand({
  name: 'mute',
  schema: muteSchema,
  usage: {
    section: 'Your feed',
    forms: ['mute author <name> [days]', 'mute keyword <word> [days]', 'mute topic <text> [days]'],
    summary: 'never pick papers by an author, with a word, or on a topic for a while (default 30 days)',
  },
  parse: (w, call) => parseMute('mute', w, call) as z.input<typeof muteSchema> | Reply,
  discord: {
    forms: [
      {
        name: 'mute',
        description: 'Never pick papers by an author, with a word, or on a topic for a while',
        options: [
          KIND_OPTION,
          VALUE_OPTION,
          { type: 'integer', name: 'days', description: `For how many days (default ${DEFAULT_MUTE_DAYS})`, required: false, min: 1, max: COMMAND_LIMITS.maxMuteDays },
        ],
        build: (o) => ({ name: 'mute' as const, kind: oneOf(o, 'kind', muteKind.options), value: need(o, 'value'), ...optional('days', o.integer('days')) }),
      },
    ],
  },
  cli: muteCli,
  run: mute,
});

export const unmuteCommand = defineCommand({
  name: 'unmute',
  schema: unmuteSchema,
  usage: { section: 'Your feed', forms: ['unmute author|keyword|topic <value>'], summary: 'end a mute early' },
  parse: (w, call) => parseMute('unmute', w, call) as z.input<typeof unmuteSchema> | Reply,
  discord: {
    forms: [
      {
        name: 'unmute',
        description: 'End a mute early',
        options: [KIND_OPTION, VALUE_OPTION],
        build: (o) => ({ name: 'unmute' as const, kind: oneOf(o, 'kind', muteKind.options), value: need(o, 'value') }),
      },
    ],
  },
  cli: unmuteCli,
  run: unmute,
});
