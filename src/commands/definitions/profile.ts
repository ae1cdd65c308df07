// `profile` (what drives my feed) and `forget-me` (delete everything stored about me).
import { z } from 'zod';
import { digestStatus } from '../../digests/settings.ts';
import { describeRecipient, exportProfile, formatSummary, profileSummary, resetProfile, type Recipient } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { scopeSchema } from '../command.ts';
import { cliOptions, type CliForms } from '../cli-form.ts';
import { clockOf, scopedRecipient, userRecipient, type CommandContext } from '../context.ts';
import { defineCommand, noArgs } from '../definition.ts';
import { describeDigest } from './digest.ts';
import { literal } from '../markup.ts';
import { okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

export async function profile(app: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const now = clockOf(ctx);
  const r = userRecipient(ctx);
  const [s, d] = await Promise.all([profileSummary(app, r, { now }), digestStatus(app, r, now)]);
  const lines = [
    ...s.warnings.map((w) => `_Note: ${literal(w)}_`),
    '**What drives your feed**',
    ...s.drivers.map((x) => `• ${literal(x)}`),
    `${s.delivered} ${s.delivered === 1 ? 'paper' : 'papers'} delivered to you so far.`,
    describeDigest(d, now),
  ];
  return okReply(lines.join('\n'), 'private');
}

export async function forgetMe(app: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const { deleted, outboxEntries } = await app.forgetRecipient(userRecipient(ctx));
  const n = deleted.length + outboxEntries;
  return okReply(
    n ? `Done: everything paperfeed stored about you is deleted (${n} ${n === 1 ? 'record' : 'records'}), digests included.` : 'paperfeed had nothing stored about you.',
    'private',
  );
}

// The CLI's `profile` also exports, resets or deletes (chat's `forget-me`) the profile; --json prints each result.
const profileSchema = z.object({ name: z.literal('profile'), scope: scopeSchema.optional() });
const PROFILE = cliOptions({
  export: { flags: '--export', description: 'print everything stored about the recipient as JSON', conflicts: ['forget', 'reset'] },
  reset: { flags: '--reset', description: 'start the profile over (delivered papers stay recorded, so none is re-sent)', conflicts: ['forget'] },
  forget: { flags: '--forget', description: 'delete everything stored about the recipient: profile, reactions, sent-log, digests' },
});
type ProfileExtra = z.output<typeof PROFILE.extra>;

type ProfileResult =
  | { kind: 'summary'; value: Awaited<ReturnType<typeof profileSummary>> }
  | { kind: 'export'; value: Awaited<ReturnType<typeof exportProfile>> }
  | { kind: 'reset'; r: Recipient; value: Awaited<ReturnType<typeof resetProfile>> }
  | { kind: 'forget'; r: Recipient; value: Awaited<ReturnType<CommandDeps['forgetRecipient']>> };

async function profileOp(app: CommandDeps, ctx: CommandContext, cmd: z.output<typeof profileSchema>, o: ProfileExtra): Promise<ProfileResult> {
  const r = scopedRecipient(ctx, cmd.scope);
  if (o.export) return { kind: 'export', value: await exportProfile(app, r) };
  if (o.forget) return { kind: 'forget', r, value: await app.forgetRecipient(r) };
  if (o.reset) return { kind: 'reset', r, value: await resetProfile(app, r) };
  return { kind: 'summary', value: await profileSummary(app, r) };
}

function profileText(res: ProfileResult): string {
  switch (res.kind) {
    case 'summary':
      return formatSummary(res.value);
    case 'export': // `write` prints it as JSON before any printing
      return JSON.stringify(res.value, null, 2);
    case 'reset':
      return res.value.reset ? `The profile of ${describeRecipient(res.r)} starts over.` : `${describeRecipient(res.r)} had no profile.`;
    case 'forget': {
      const n = res.value.deleted.length + res.value.outboxEntries;
      return n ? `Deleted everything stored about ${describeRecipient(res.r)} (${n} ${n === 1 ? 'record' : 'records'}).` : `Nothing was stored about ${describeRecipient(res.r)}.`;
    }
  }
}

const profileCli: CliForms<z.input<typeof profileSchema>, z.output<typeof profileSchema>, ProfileResult, ProfileExtra> = {
  forms: [
    {
      name: 'profile',
      description: 'what drives the feed, in words; or export, reset or delete it',
      options: PROFILE.options,
      build: (_i, scope) => ({ name: 'profile', scope }),
    },
  ],
  extra: PROFILE.extra,
  run: profileOp,
  print: profileText,
  json: (res) => res.value,
  // An export is JSON whether or not --json is given.
  write(res, _o, out) {
    if (res.kind !== 'export') return false;
    out.printJson(res.value);
    return true;
  },
};

export const profileCommand = defineCommand({
  name: 'profile',
  schema: profileSchema,
  usage: { section: 'Your profile', forms: ['profile'], summary: 'what drives your feed' },
  parse: (w, call) => noArgs('profile', w, call, { name: 'profile' as const }),
  discord: { forms: [{ name: 'profile' as const, description: 'What drives your feed', build: () => ({ name: 'profile' as const }) }] },
  cli: profileCli,
  run: (app, ctx) => profile(app, ctx),
});

export const forgetMeCommand = defineCommand({
  name: 'forget-me',
  aliases: ['forget', 'forgetme'],
  schema: z.object({ name: z.literal('forget-me') }),
  usage: { section: 'Your profile', forms: ['forget-me'], summary: 'delete everything stored about you' },
  parse: (w, call) => noArgs('forget-me', w, call, { name: 'forget-me' as const }),
  discord: { forms: [{ name: 'forget-me' as const, description: 'Delete everything paperfeed stored about you', build: () => ({ name: 'forget-me' as const }) }] },
  run: (app, ctx) => forgetMe(app, ctx),
});
