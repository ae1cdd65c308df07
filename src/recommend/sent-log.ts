import { z } from 'zod';
import type { RecommendDeps } from './deps.ts';
import { deleteRecord, loadRecord, updateRecord, type Loaded, type RecordKind } from './kv-record.ts';
import { recipientKey, type Recipient } from './recipient.ts';

export const SENT_NAMESPACE = 'sentlog';

/**
 * Entries older than the longest candidate window can never be candidates again through the
 * daily path; beyond this many, the oldest are dropped to keep the record small.
 */
export const SENT_LOG_MAX = 20_000;

const iso = z.iso.datetime({ offset: true });

const sentLogSchema = z.object({
  v: z.literal(1),
  /** When the last digest was taken: the next one starts from papers first seen since. */
  lastDigest: iso.optional(),
  /**
   * Set while the digests since this instant were general (no profile yet): once the recipient
   * has a profile, their first personal digest goes back here, so papers already passed over by a
   * general digest can still be picked for them.
   */
  generalSince: iso.optional(),
  /** Paper id → when it was delivered. */
  papers: z.record(z.string().min(1), iso),
});

export type SentLog = z.infer<typeof sentLogSchema>;

const sentKind: RecordKind<SentLog> = {
  namespace: SENT_NAMESPACE,
  parse(raw) {
    const r = sentLogSchema.safeParse(raw);
    if (r.success) return { value: r.data };
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { problem: `the stored sent-log is invalid (${first.join('; ')})` };
  },
  empty: () => ({ v: 1, papers: {} }),
};

export function loadSentLog(app: RecommendDeps, r: Recipient, now: Date): Promise<Loaded<SentLog>> {
  return loadRecord(app, sentKind, recipientKey(r), now);
}

export interface RecordSentOptions {
  /** When the papers were delivered (default now). */
  at?: Date;
  /** Moves the "since the last digest" mark here (a dated or ad-hoc digest leaves it alone). */
  digestAt?: Date;
  /** With digestAt: how the digest was ranked and where its window began. */
  digest?: { mode: 'personal' | 'general'; since: string };
}

/** Records delivered papers for a recipient: they are never picked for them again. */
export async function recordSent(
  app: RecommendDeps,
  r: Recipient,
  paperIds: readonly string[],
  opts: RecordSentOptions = {},
): Promise<SentLog> {
  const at = opts.at ?? new Date();
  const { value } = await updateRecord(app, sentKind, recipientKey(r), at, (log) => {
    for (const id of paperIds) log.papers[id] ??= at.toISOString();
    if (opts.digestAt) {
      if (!log.lastDigest || opts.digestAt.getTime() > Date.parse(log.lastDigest)) log.lastDigest = opts.digestAt.toISOString();
      if (opts.digest?.mode === 'general') log.generalSince ??= opts.digest.since;
      else if (opts.digest?.mode === 'personal') delete log.generalSince;
    }
    const entries = Object.entries(log.papers);
    if (entries.length > SENT_LOG_MAX) {
      entries.sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
      log.papers = Object.fromEntries(entries.slice(0, SENT_LOG_MAX));
    }
  });
  return value;
}

export function deleteSentLog(app: RecommendDeps, r: Recipient): Promise<string[]> {
  return deleteRecord(app, SENT_NAMESPACE, recipientKey(r));
}
