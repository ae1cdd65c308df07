import type { RecommendDeps } from './deps.ts';
import { deleteRecord, loadRecord, updateRecord, type Loaded, type RecordKind } from './kv-record.ts';
import { emptyProfile, readProfileRecord, type Profile } from './profile.ts';
import { recipientKey, type Recipient } from './recipient.ts';

export const PROFILES_NAMESPACE = 'profiles';

const profileKind: RecordKind<Profile> = {
  namespace: PROFILES_NAMESPACE,
  parse(raw) {
    const r = readProfileRecord(raw);
    return 'profile' in r ? { value: r.profile } : r;
  },
  empty: emptyProfile,
};

export function loadProfile(app: RecommendDeps, r: Recipient, now: Date): Promise<Loaded<Profile>> {
  return loadRecord(app, profileKind, recipientKey(r), now);
}

/** Changes one recipient's profile (and nobody else's) under its lock; stamps updatedAt. */
export async function updateProfile<R>(
  app: RecommendDeps,
  r: Recipient,
  now: Date,
  change: (p: Profile) => R | Promise<R>,
): Promise<{ result: R; profile: Profile; problem?: string }> {
  const out = await updateRecord(app, profileKind, recipientKey(r), now, async (p) => {
    const result = await change(p);
    p.updatedAt = now.toISOString();
    return result;
  });
  return { result: out.result, profile: out.value, ...(out.problem ? { problem: out.problem } : {}) };
}

export function deleteProfile(app: RecommendDeps, r: Recipient): Promise<string[]> {
  return deleteRecord(app, PROFILES_NAMESPACE, recipientKey(r));
}
