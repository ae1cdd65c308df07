import { updateEntry, type CasDecision } from '../store/kv-cas.ts';
import type { RecommendDeps } from './deps.ts';

/** How one kind of record is read: a parse that describes, never throws, and an empty value. */
export interface RecordKind<T> {
  namespace: string;
  parse(raw: unknown): { value: T } | { problem: string };
  empty(now: Date): T;
}

export interface Loaded<T> {
  value: T;
  /** Whether a (valid) record was stored. */
  stored: boolean;
  /** Why a stored record could not be read; the value is then empty. */
  problem?: string;
}

/** Unreadable records are kept under this prefix (same namespace) instead of being overwritten. */
export const CORRUPT_PREFIX = 'corrupt:';

const locks = new Map<string, Promise<unknown>>();

/**
 * Serializes read-modify-write of one key within this process, so two reactions arriving at once
 * do not make each other retry; across processes, updateEntry's compare-and-set keeps both changes.
 */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, settled);
  try {
    return await run;
  } finally {
    if (locks.get(key) === settled) locks.delete(key);
  }
}

export async function loadRecord<T>(app: RecommendDeps, kind: RecordKind<T>, key: string, now: Date): Promise<Loaded<T>> {
  const raw: unknown = await app.kv(kind.namespace).get(key);
  if (raw === undefined) return { value: kind.empty(now), stored: false };
  const parsed = kind.parse(raw);
  if ('value' in parsed) return { value: parsed.value, stored: true };
  app.log.warn({ namespace: kind.namespace, key, problem: parsed.problem }, 'unreadable record treated as empty');
  return { value: kind.empty(now), stored: false, problem: parsed.problem };
}

/**
 * Reads, changes and writes one record atomically, also against other processes sharing the kv
 * store: when another writer got in first, the change runs again on its result (so `change` must
 * only touch the value it is given). An unreadable stored record is copied aside
 * (CORRUPT_PREFIX + key) before the new one replaces it, so nothing is lost.
 */
export async function updateRecord<T, R>(
  app: RecommendDeps,
  kind: RecordKind<T>,
  key: string,
  now: Date,
  change: (value: T) => R | Promise<R>,
): Promise<{ result: R; value: T; problem?: string }> {
  return (await readModifyWrite(app, kind, key, now, change, false))!;
}

/**
 * Like updateRecord, but only for a record that is stored, in the same atomic step: bookkeeping
 * must not bring back a record deleted meanwhile (forget-me). Undefined when there was none.
 */
export async function updateStoredRecord<T, R>(
  app: RecommendDeps,
  kind: RecordKind<T>,
  key: string,
  now: Date,
  change: (value: T) => R | Promise<R>,
): Promise<{ result: R; value: T; problem?: string } | undefined> {
  return readModifyWrite(app, kind, key, now, change, true);
}

async function readModifyWrite<T, R>(
  app: RecommendDeps,
  kind: RecordKind<T>,
  key: string,
  now: Date,
  change: (value: T) => R | Promise<R>,
  onlyIfStored: boolean,
): Promise<{ result: R; value: T; problem?: string } | undefined> {
  return withLock(`${kind.namespace}\u0000${key}`, async () => {
    const kv = app.kv(kind.namespace);
    return updateEntry(kv, key, async ({ value: raw }): Promise<CasDecision<{ result: R; value: T; problem?: string } | undefined>> => {
      if (raw === undefined && onlyIfStored) return { write: false, result: undefined };
      let value = kind.empty(now);
      let problem: string | undefined;
      if (raw !== undefined) {
        const parsed = kind.parse(raw);
        if ('value' in parsed) value = parsed.value;
        else {
          problem = parsed.problem;
          app.log.warn({ namespace: kind.namespace, key, problem }, 'unreadable record kept aside and replaced');
          await kv.set(CORRUPT_PREFIX + key, raw);
        }
      }
      const result = await change(value);
      const checked = kind.parse(value);
      // Our own change produced something unreadable: a bug; refuse to store it.
      if (!('value' in checked)) throw new Error(`refusing to store an invalid ${kind.namespace} record: ${checked.problem}`);
      return { write: true, value: checked.value, result: { result, value: checked.value, ...(problem ? { problem } : {}) } };
    });
  });
}

/** Deletes a record and any unreadable copy kept aside; returns the keys that existed. */
export async function deleteRecord(app: RecommendDeps, namespace: string, key: string): Promise<string[]> {
  return withLock(`${namespace}\u0000${key}`, async () => {
    const kv = app.kv(namespace);
    const deleted: string[] = [];
    for (const k of [key, CORRUPT_PREFIX + key]) {
      // has() first: not every keyv store reports whether delete() found the key.
      if (!(await kv.has(k))) continue;
      await kv.delete(k);
      deleted.push(`${namespace}/${k}`);
    }
    return deleted;
  });
}
