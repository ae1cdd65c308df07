// The recommendation engine's public surface: operations, recipients, result types, formatting.
export * from './ops/index.ts';
export { recipientKey, checkRecipient, describeRecipient } from './recipient.ts';
export type { Recipient } from './recipient.ts';
export type { Reason } from './reasons.ts';
export type { CandidateWindow } from './candidates.ts';
export type { ExclusionKind } from './rank-types.ts';
export { FEEDBACK_KINDS, MUTE_KINDS } from './profile.ts';
export type { FeedbackKind, MuteKind } from './profile.ts';
export { PROFILES_NAMESPACE } from './profile-store.ts';
export { SENT_NAMESPACE } from './sent-log.ts';
export { formatPicks, formatTopics, formatSummary, formatExplanation, formatFeedback, formatMute } from './format.ts';
