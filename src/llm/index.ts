// The optional language-model features' public surface (issue 8).
export { createLlm, lazyLlm, llmUsage, DEFAULT_COOLDOWN_MS, type Llm, type LlmDeps } from './llm.ts';
export { ask, ASK_DEFAULT_K, ASK_MAX_K, type AskOptions, type AskResult, type AskSource, type AskStatus, type Citation } from './ask.ts';
export { llmEnabled, type LlmConfig } from './settings.ts';
export { llmUsageSnapshot, processUsage, UsageCounters, type UsageSnapshot } from './usage.ts';
export type { ChatFailure } from './chat.ts';
