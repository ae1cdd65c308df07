// Platform-neutral daily digests: subscriptions, schedule and composition.
export { canonicalTimeZone, localClock, minutesOf } from './clock.ts';
export type { LocalClock } from './clock.ts';
export { changeDigest, digestStatus, digestDefaults, checkTimeZone, nextDigest } from './settings.ts';
export type { DigestChange, DigestStatus } from './settings.ts';
export {
  DIGESTS_NAMESPACE,
  listSubscriptions,
  loadSubscription,
  deleteSubscriptions,
  updateSubscription,
  updateStoredSubscription,
  subscriptionKey,
  recipientOf,
} from './subscriptions.ts';
export type { DigestSubscription } from './subscriptions.ts';
export { composeDigest, confirmDigest } from './compose.ts';
export { cadenceOf, dueOn, dueOf, dueSubscriptions, WEEKLY_LOOKBACK_DAYS } from './cadence.ts';
export type { Cadence, DueSubscription } from './cadence.ts';
export { WEEKDAYS, weekdayOf } from './clock.ts';
export type { Weekday } from './clock.ts';
export type { Digest } from './compose.ts';
export { startDigestScheduler, runDueDigests, dueDigests, dueAt, MAX_ATTEMPTS } from './scheduler.ts';
export type { DigestSender, DigestScheduler, DigestOutcome, DueDigest } from './scheduler.ts';
