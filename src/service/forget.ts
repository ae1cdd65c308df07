/**
 * Forget-me: the one function that deletes everything stored about a recipient, for the CLI
 * (`profile --forget`) and the chat command (`forget-me`) alike, on whichever engines the
 * configuration chose (kv: SQLite, PostgreSQL or Redis; outbox: SQLite or PostgreSQL).
 *
 * Every kv namespace and every table is declared below as holding records about people (forget
 * deletes the recipient's) or not (and why); test/forget.test.ts enumerates the real stores and
 * fails on a namespace or table that is in neither list, so new state cannot slip past forget.
 */
import type { ForgetResult } from '../commands/deps.ts';
import { DIGESTS_NAMESPACE, deleteSubscriptions } from '../digests/subscriptions.ts';
import { BUDGET_NAMESPACE } from '../llm/budget.ts';
import { RATE_NAMESPACE } from '../llm/rate-limit.ts';
import { WHY_NAMESPACE, whyTopicsKey } from '../llm/why.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import { deleteRecord } from '../recommend/kv-record.ts';
import { deleteProfile, loadProfile, PROFILES_NAMESPACE } from '../recommend/profile-store.ts';
import { checkRecipient, recipientKey, type Recipient } from '../recommend/recipient.ts';
import { deleteSentLog, SENT_NAMESPACE } from '../recommend/sent-log.ts';
import { checkpointKv } from '../store/kv.ts';
import { withOutbox } from './backends.ts';
import { deadKey, SLACK_NAMESPACE } from './dead-marks.ts';
import type { Outbox } from './outbox.ts';

/** kv namespaces with records about a person, and what forget deletes in each. */
export const FORGOTTEN_NAMESPACES: Readonly<Record<string, string>> = {
  [PROFILES_NAMESPACE]: 'the profile (topics, keywords, authors, reactions, mutes, reading list) under <kind>:<id>, and any unreadable copy kept aside',
  [SENT_NAMESPACE]: 'the papers delivered to the recipient, under <kind>:<id>',
  [DIGESTS_NAMESPACE]: 'the digest subscription on every platform, and its entries in the subscription index',
  [RATE_NAMESPACE]: "the times of the user's recent `ask` calls, under user:<id>",
  [WHY_NAMESPACE]: "why-lines cached for the recipient's current topics (keyed by a hash of the topic set, which others with the same topics share)",
  [SLACK_NAMESPACE]: "the mark of a gone destination under dead:<id> (a user's DM is opened by user id)",
};

/** kv namespaces with nothing about any one person. */
export const KEPT_NAMESPACES: Readonly<Record<string, string>> = {
  [BUDGET_NAMESPACE]: "the whole service's language-model token spend per day",
};

/** Tables (SQLite files and PostgreSQL) with records about a person. */
export const FORGOTTEN_TABLES: Readonly<Record<string, string>> = {
  outbox: 'digests queued or sent to the recipient, one row per platform and day',
  keyv: 'user and channel state: deleted namespace by namespace (FORGOTTEN_NAMESPACES)',
};

/** Tables with nothing about any one person. */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  papers: 'papers from the feeds',
  aliases: 'other ids of papers',
  vectors: 'embeddings of paper texts',
  vectors_: 'embeddings of paper texts, one table per embedding provider (vectors_<random hex>)',
  vector_tables: 'which table holds each embedding provider\'s vectors',
  summaries: 'language-model TL;DRs of paper texts',
  meta: 'store settings (the built-in embedder fit, index state)',
  corpus_version: 'a counter of corpus changes',
  locks: 'job leases: replica names only',
  lock_fences: 'job lock counters',
  paperfeed_schema: 'schema versions',
  lexical: 'the full-text index of paper titles and abstracts (SQLite FTS5)',
  lexical_data: 'FTS5 storage of the paper full-text index',
  lexical_idx: 'FTS5 storage of the paper full-text index',
  lexical_docsize: 'FTS5 storage of the paper full-text index',
  lexical_config: 'FTS5 storage of the paper full-text index',
  lexical_docs: 'papers in the full-text index, with their dates and sources',
  lexical_terms: 'document frequencies of paper terms',
  lexical_stats: 'paper count and length of the full-text index',
  paper_changes: 'the change feed of paper ids',
};

/**
 * Deletes every record about the recipient. Subscriptions go first, so no digest is planned
 * for them meanwhile, then the outbox, then the rest. On SQLite, deleted rows are overwritten in
 * the files (secure_delete) and the WAL emptied. `outbox`: the service's own, when it has one open;
 * otherwise the configured one is opened for the call.
 */
export async function forgetRecipient(app: RecommendDeps, recipient: Recipient, outbox?: Outbox): Promise<ForgetResult> {
  const r = checkRecipient(recipient);
  const key = recipientKey(r);
  const deleted = await deleteSubscriptions(app, r);
  const outboxEntries = outbox ? await outbox.forget(r) : await withOutbox(app.config, (o) => o.forget(r));

  const topics = (await loadProfile(app, r, new Date())).value.topics.map((t) => t.text);
  deleted.push(...(await deleteWhyLines(app, whyTopicsKey(topics))));
  deleted.push(
    ...(await deleteProfile(app, r)),
    ...(await deleteSentLog(app, r)),
    ...(await deleteRecord(app, RATE_NAMESPACE, key)),
    ...(await deleteRecord(app, SLACK_NAMESPACE, deadKey(r.id))),
  );
  if (!checkpointKv(app.kv(PROFILES_NAMESPACE))) {
    app.log.warn({ recipient: key }, 'forget: another process is reading the kv file; its deleted pages leave the WAL at the next checkpoint');
  }
  app.log.info({ recipient: key, records: deleted.length, outboxEntries }, 'recipient forgotten');
  return { deleted, outboxEntries };
}

/** Cached why-lines of one topic set (keys `<model>:<content hash>:<topics key>`). */
async function deleteWhyLines(app: RecommendDeps, topicsKey: string | undefined): Promise<string[]> {
  if (topicsKey === undefined) return [];
  const kv = app.kv(WHY_NAMESPACE);
  const keys: string[] = [];
  // keyv iterates its own namespace whatever it is given.
  for await (const [k] of kv.iterator!(kv.namespace) as AsyncGenerator<[string, unknown]>) {
    if (k.endsWith(`:${topicsKey}`)) keys.push(k);
  }
  const deleted: string[] = [];
  for (const k of keys) if (await kv.delete(k)) deleted.push(`${WHY_NAMESPACE}/${k}`);
  return deleted;
}
