import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { isoDateSchema } from '../../papers/dates.ts';
import type { Paper } from '../../papers/paper.ts';
import type { RecommendDeps } from '../deps.ts';
import { candidateWindow, windowPapers, withVectors, type CandidateWindow } from '../candidates.ts';
import { loadProfile } from '../profile-store.ts';
import { hasPositiveSignals } from '../profile.ts';
import { allowedPicks, exclusionOf, explain, prepareProfile, priorOf, rankCandidates, scorePool } from '../rank.ts';
import type { Exclusion, ExclusionKind } from '../rank-types.ts';
import { buildRankProfile } from '../rank-input.ts';
import type { Reason } from '../reasons.ts';
import { checkRecipient, recipientKey, type Recipient } from '../recipient.ts';
import { loadSentLog, recordSent, type RecordSentOptions } from '../sent-log.ts';
import { rankParamsFrom } from '../settings.ts';
import { clock, resolvePaper, type OpOptions } from './shared.ts';

export interface PicksOptions extends OpOptions {
  /** YYYY-MM-DD: papers published or first seen that day instead of "since the last digest". */
  date?: string;
  /** How many picks at most (default PAPERFEED_PICKS_N). */
  n?: number;
  /** Record the picks as delivered (and, without a date, move the last-digest mark to now). */
  record?: boolean;
  /** Candidates first seen in the last N days instead of since the last digest (a weekly digest: 7). */
  lastDays?: number;
}

export interface PickedPaper {
  rank: number;
  paper: Paper;
  score: number;
  /** The personal part of the score (what the threshold applies to), or centrality in general mode. */
  relevance: number;
  reasons: Reason[];
}

/**
 * - ok: picks are given;
 * - no-candidates: no papers in the window (weekend, arXiv holiday);
 * - all-seen: every candidate was already delivered or rated;
 * - nothing-relevant: candidates exist but none was relevant enough (or all were excluded).
 * Whenever there are no picks, `notice` says so in plain language: render it, never an empty message.
 */
export type PicksStatus = 'ok' | 'no-candidates' | 'all-seen' | 'nothing-relevant';

export interface PicksResult {
  recipient: Recipient & { key: string };
  /** personal: ranked by the profile; general: no profile, the day's most central and popular papers. */
  mode: 'personal' | 'general';
  status: PicksStatus;
  notice?: string;
  /** Said alongside general-mode picks: why these and how to personalize. */
  hint?: string;
  window: CandidateWindow;
  candidates: number;
  excluded: Partial<Record<ExclusionKind, number>>;
  belowThreshold: number;
  /** Eligible candidates below the absolute relevance floor: nothing to fill the picks with. */
  belowFloor: number;
  /** Personal mode: the least relevance a pick needed today (PAPERFEED_PICKS_THRESHOLD × the day's best, at least a floor). */
  threshold: number;
  picks: PickedPaper[];
  /** Whether the picks were recorded as delivered. */
  recorded: boolean;
  /** Problems reading stored state (a corrupt profile is treated as empty and reported here). */
  warnings: string[];
}

const dateSchema = isoDateSchema;

const picksOptionsSchema = z.object({
  date: dateSchema.optional(),
  n: z.number().int().min(1).max(50).optional(),
  record: z.boolean().optional(),
  lastDays: z.number().int().min(1).max(31).optional(),
  now: z.date().optional(),
});

function checkOptions(opts: PicksOptions): PicksOptions {
  const parsed = picksOptionsSchema.safeParse(opts);
  if (!parsed.success) {
    throw new UserError(`invalid picks options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data as PicksOptions;
}

const since = (r: Recipient): string => (r.kind === 'user' ? 'your last digest' : 'the last digest');

function emptyNotice(status: Exclude<PicksStatus, 'ok'>, r: Recipient, w: CandidateWindow, candidates: number): string {
  const holidays = '(weekends and arXiv holidays have none)';
  const scope =
    w.kind === 'date'
      ? `on ${w.date}`
      : w.kind === 'first-digest'
        ? 'in the last 24 hours'
        : w.kind === 'last-days'
          ? `in the last ${w.days} days`
          : `since ${since(r)}`;
  switch (status) {
    case 'no-candidates':
      return w.kind === 'date'
        ? `No papers were published or first seen on ${w.date} ${holidays}.`
        : `No new papers ${scope} ${holidays}.`;
    case 'all-seen':
      return `Every paper ${scope} has already been delivered${r.kind === 'user' ? ' to you' : ' here'}.`;
    case 'nothing-relevant': {
      const whose = r.kind === 'user' ? 'your interests' : "this channel's interests";
      const papers = `${candidates} ${candidates === 1 ? 'paper' : 'papers'}`;
      return `None of the ${papers} ${scope} matched ${whose} closely enough; quiet days bring fewer picks.`;
    }
  }
}

function generalHint(r: Recipient): string {
  return r.kind === 'user'
    ? "You have no topics yet, so these are the day's most central and popular papers; add a topic to make the feed yours."
    : "This channel has no profile, so these are the day's most central and popular papers.";
}

/**
 * A recipient's picks: candidates of the window, ranked by their profile (or, with none, the
 * day's most central and popular papers), never one already delivered to them.
 */
export async function getPicks(app: RecommendDeps, recipient: Recipient, options: PicksOptions = {}): Promise<PicksResult> {
  const r = checkRecipient(recipient);
  const opts = checkOptions(options);
  const now = clock(opts);
  const [profile, sent] = await Promise.all([loadProfile(app, r, now), loadSentLog(app, r, now)]);
  const warnings = [profile.problem && `profile: ${profile.problem}; using an empty profile`, sent.problem && `sent-log: ${sent.problem}; starting a new one`].filter(
    (w): w is string => Boolean(w),
  );
  // The first personal digest after general ones goes back to where those began (a first day that works).
  const personal = hasPositiveSignals(profile.value, now);
  const window = candidateWindow(now, (personal && sent.value.generalSince) || sent.value.lastDigest, opts.date, opts.lastDays);
  const candidates = await withVectors(app, await windowPapers(app, window));
  const params = rankParamsFrom(app.config, now, opts.n !== undefined ? { n: opts.n } : {});
  const rankProfile = await buildRankProfile(app, r, profile.value, sent.value, now, { persist: profile.stored });
  const ranking = rankCandidates(candidates, rankProfile, params);

  const picks = ranking.picks.map((p, i) => ({ rank: i + 1, paper: p.paper, score: p.score, relevance: p.relevance, reasons: p.reasons }));
  let status: PicksStatus = 'ok';
  if (picks.length === 0) {
    const eligible = candidates.length - Object.values(ranking.excluded).reduce((a, b) => a + b, 0);
    status =
      candidates.length === 0
        ? 'no-candidates'
        : eligible === 0 && (ranking.excluded.sent ?? 0) + (ranking.excluded.rated ?? 0) === candidates.length
          ? 'all-seen'
          : 'nothing-relevant';
  }
  if (opts.record) {
    await recordSent(
      app,
      r,
      picks.map((p) => p.paper.id),
      // A dated digest is a look at one day: it does not move the "since the last digest" mark.
      { at: now, ...(window.kind === 'date' ? {} : { digestAt: now, digest: { mode: ranking.mode, since: window.since } }) },
    );
  }
  return {
    recipient: { ...r, key: recipientKey(r) },
    mode: ranking.mode,
    status,
    ...(status !== 'ok' ? { notice: emptyNotice(status, r, window, candidates.length) } : {}),
    ...(ranking.mode === 'general' && picks.length > 0 ? { hint: generalHint(r) } : {}),
    window,
    candidates: candidates.length,
    excluded: ranking.excluded,
    belowThreshold: ranking.belowThreshold,
    belowFloor: ranking.belowFloor,
    threshold: ranking.cutoff ?? 0,
    picks,
    recorded: Boolean(opts.record),
    warnings,
  };
}

/**
 * Records papers as delivered to a recipient, for a caller that ranks first and sends later (the
 * outbox): call it once the digest is actually out. `digestAt` moves the last-digest mark: pass
 * the time the candidates were taken (`new Date(result.window.until)`), not the time of sending,
 * so papers that arrived meanwhile are not skipped. `recordPicks` does exactly that.
 */
export async function recordDelivered(
  app: RecommendDeps,
  recipient: Recipient,
  paperIds: readonly string[],
  opts: OpOptions & Pick<RecordSentOptions, 'digestAt' | 'digest'> = {},
): Promise<{ recorded: number }> {
  const r = checkRecipient(recipient);
  const ids = z.array(z.string().trim().min(1).max(500)).max(1_000).safeParse(paperIds);
  if (!ids.success) throw new UserError('paper ids to record must be 1 to 500 characters each, at most 1000 of them');
  await recordSent(app, r, ids.data, {
    at: clock(opts),
    ...(opts.digestAt ? { digestAt: opts.digestAt, ...(opts.digest ? { digest: opts.digest } : {}) } : {}),
  });
  return { recorded: ids.data.length };
}

/** Records a getPicks result (computed with record: false) once it has been delivered. */
export function recordPicks(app: RecommendDeps, result: PicksResult, opts: OpOptions = {}): Promise<{ recorded: number }> {
  return recordDelivered(
    app,
    result.recipient,
    result.picks.map((p) => p.paper.id),
    {
      ...opts,
      ...(result.window.kind === 'date'
        ? {}
        : { digestAt: new Date(result.window.until), digest: { mode: result.mode, since: result.window.since } }),
    },
  );
}

export interface PaperExplanation {
  paper: Paper;
  mode: 'personal' | 'general';
  /** Set when a hard exclusion keeps the paper out. */
  excluded?: Exclusion & { text: string };
  relevance: number;
  score: number;
  threshold: number;
  /** Would it be a pick on relevance: above the cut-off or needed to fill n (before MMR and the count limit)? */
  passes: boolean;
  reasons: Reason[];
}

export function exclusionText(e: Exclusion, r: Recipient): string {
  const you = r.kind === 'user' ? 'you' : 'this channel';
  switch (e.kind) {
    case 'sent':
      return `already delivered to ${you}`;
    case 'rated':
      return `${you} already rated it`;
    case 'seed':
      return `one of ${r.kind === 'user' ? 'your' : "this channel's"} seed papers`;
    case 'excluded-keyword':
      return `mentions '${e.detail}', which ${you} excluded`;
    case 'missing-required-keyword':
      return `mentions none of the required keywords (${e.detail})`;
    case 'muted-author':
      return `by ${e.detail}, whom ${you} muted`;
    case 'muted-keyword':
      return `mentions '${e.detail}', which ${you} muted`;
    case 'muted-topic':
      return `close to the topic '${e.detail}', which ${you} muted`;
  }
}

/**
 * Why a stored paper would (or would not) be picked for a recipient: the `why` command. The paper
 * is judged against the recipient's current window, as a digest now would judge it: the learned
 * model and the threshold both depend on the day's other papers.
 */
export async function explainPaper(app: RecommendDeps, recipient: Recipient, paperRef: string, opts: OpOptions = {}): Promise<PaperExplanation> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const paper = await resolvePaper(app, paperRef);
  const [profile, sent] = await Promise.all([loadProfile(app, r, now), loadSentLog(app, r, now)]);
  const window = candidateWindow(now, sent.value.lastDigest);
  const pool = await withVectors(app, [...(await windowPapers(app, window)).filter((p) => p.id !== paper.id), paper]);
  const candidate = pool.find((c) => c.paper.id === paper.id);
  if (!candidate) throw new Error(`paper ${paper.id} has no vector under ${app.embedder.key}`);
  const params = rankParamsFrom(app.config, now);
  const prepared = prepareProfile(await buildRankProfile(app, r, profile.value, sent.value, now, { persist: profile.stored }), params.tuning);
  const ex = exclusionOf(candidate, prepared, params.muteSimilarity);
  const base = { paper, ...(ex ? { excluded: { ...ex, text: exclusionText(ex, r) } } : {}) };
  if (!prepared.personal) {
    const prior = priorOf(candidate, params, prepared.tuning);
    return { ...base, threshold: 0, mode: 'general', relevance: 0, score: prior, passes: !ex, reasons: [] };
  }
  const eligible = pool.filter((c) => c === candidate || !exclusionOf(c, prepared, params.muteSimilarity));
  const scored = scorePool(eligible, prepared, params);
  const s = scored.scored.find((x) => x.paper.id === paper.id)!;
  return {
    ...base,
    threshold: scored.cutoff,
    mode: 'personal',
    relevance: s.relevance,
    score: s.score,
    // Above the cut-off, or among the best above the floor that fill a feed of n.
    passes: !ex && allowedPicks(scored, params.n, prepared.tuning.floor).includes(s),
    reasons: explain(s, scored, prepared),
  };
}
