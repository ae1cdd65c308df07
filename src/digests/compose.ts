// One recipient's digest: ranked now, recorded as delivered only once it is out.
import { enrichPicks } from '../commands/enrich.ts';
import { picksReply } from '../commands/definitions/picks.ts';
import type { EnrichDeps } from '../commands/deps.ts';
import type { Reply } from '../commands/reply.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import { WEEKLY_LOOKBACK_DAYS, type Cadence } from './cadence.ts';
import { getPicks, recordPicks, type PicksResult, type Recipient } from '../recommend/index.ts';

export interface Digest {
  recipient: Recipient;
  reply: Reply;
  paperIds: string[];
  /** The ranking behind it, recorded by confirmDigest once the digest is out. */
  picks: PicksResult;
}

/**
 * The digest a recipient would get now. A user's digest is private (a DM); a channel's is ranked
 * by the channel's own profile, so nobody's personal picks ever reach a channel.
 */
export async function composeDigest(app: EnrichDeps, recipient: Recipient, now: Date, cadence: Cadence = 'daily'): Promise<Digest> {
  // A weekly digest takes the week's best: a week of candidates, not the papers since the last digest.
  const res = await getPicks(app, recipient, { now, record: false, ...(cadence === 'weekly' ? { lastDays: WEEKLY_LOOKBACK_DAYS } : {}) });
  const heading =
    cadence === 'weekly'
      ? recipient.kind === 'user'
        ? "Your week's papers"
        : "This week's papers for this channel"
      : recipient.kind === 'user'
        ? 'Your daily papers'
        : "Today's papers for this channel";
  // TL;DRs and why-lines when a language model is configured; never a reason for the digest to fail.
  const reply = await enrichPicks(app, res, picksReply(res, heading, recipient.kind === 'user' ? 'private' : 'channel'));
  return { recipient, reply, paperIds: res.picks.map((p) => p.paper.id), picks: res };
}

/** Marks a sent digest's papers delivered and moves the "since the last digest" mark. */
export async function confirmDigest(app: RecommendDeps, digest: Digest, now: Date): Promise<void> {
  await recordPicks(app, digest.picks, { now });
}
