// Platform-neutral daily and weekly digests: subscriptions, schedule and composition.
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
export { cadenceOf, dueOn, WEEKLY_LOOKBACK_DAYS } from './cadence.ts';
export type { Cadence } from './cadence.ts';
export { WEEKDAYS, weekdayOf } from './clock.ts';
export type { Weekday } from './clock.ts';
export type { Digest } from './compose.ts';
export { dueDigests, dueAt } from './due.ts';
export type { DueDigest } from './due.ts';
export { digestSender } from './sender.ts';
export type { DigestPoster, DigestSender } from './sender.ts';
