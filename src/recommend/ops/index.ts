// One function per operation: the CLI and the bots call exactly these.
export { getPicks, recordDelivered, recordPicks, explainPaper, exclusionText } from './picks.ts';
export type { PicksOptions, PicksResult, PicksStatus, PickedPaper, PaperExplanation } from './picks.ts';
export { addTopic, listTopics, removeTopic, weightTopic } from './topics.ts';
export type { TopicView } from './topics.ts';
export {
  addKeyword,
  removeKeyword,
  followAuthor,
  unfollowAuthor,
  addCategory,
  removeCategory,
  addSeed,
  removeSeed,
} from './filters.ts';
export type { KeywordView } from './filters.ts';
export { recordFeedback, mute, unmute, feedbackKindOf, FEEDBACK_NAMES } from './feedback.ts';
export type { FeedbackResult, MuteTarget, MuteView } from './feedback.ts';
export { profileSummary, exportProfile, resetProfile, profileView } from './profile.ts';
export type { ProfileSummary, ProfileExport, ProfileView } from './profile.ts';
export { importLibrary, IMPORT_SEEDS } from './library.ts';
export type { LibraryImportInput, LibraryImportResult, PaperOutcome, TextOutcome } from './library.ts';
export type { OpOptions } from './shared.ts';
export { savePaper, unsavePaper, listSaved } from './saved.ts';
export type { SavedView } from './saved.ts';
export { deliveryHistory } from './history.ts';
export type { HistoryDay, HistoryPaper } from './history.ts';
