// `profile` (what drives my feed) and `forget-me` (delete everything stored about me).
import { z } from 'zod';
import { digestStatus } from '../digests/settings.ts';
import { profileSummary } from '../recommend/index.ts';
import type { CommandDeps } from './deps.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { defineCommand, noArgs } from './definition.ts';
import { describeDigest } from './digest.ts';
import { literal } from './markup.ts';
import { okReply } from './replies.ts';
import type { Reply } from './reply.ts';

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

export const profileCommand = defineCommand({
  name: 'profile',
  schema: z.object({ name: z.literal('profile') }),
  usage: { forms: ['profile'], summary: 'what drives your feed' },
  parse: (w, call) => noArgs('profile', w, call, { name: 'profile' as const }),
  discord: { forms: [{ name: 'profile' as const, description: 'What drives your feed', build: () => ({ name: 'profile' as const }) }] },
  run: (app, ctx) => profile(app, ctx),
});

export const forgetMeCommand = defineCommand({
  name: 'forget-me',
  aliases: ['forget', 'forgetme'],
  schema: z.object({ name: z.literal('forget-me') }),
  usage: { forms: ['forget-me'], summary: 'delete everything stored about you' },
  parse: (w, call) => noArgs('forget-me', w, call, { name: 'forget-me' as const }),
  discord: { forms: [{ name: 'forget-me' as const, description: 'Delete everything paperfeed stored about you', build: () => ({ name: 'forget-me' as const }) }] },
  run: (app, ctx) => forgetMe(app, ctx),
});
