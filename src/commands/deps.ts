import type { Llm } from '../llm/index.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import type { Recipient } from '../recommend/index.ts';

/** What forget-me deleted. */
export interface ForgetResult {
  /** kv records deleted, as `namespace/key`. */
  deleted: string[];
  /** Outbox entries (digests queued or sent) deleted. */
  outboxEntries: number;
}

/** What the language-model notes on cards need: the recommender's parts and the one LLM. */
export interface EnrichDeps extends RecommendDeps {
  /** The language-model features, or undefined when none is configured. */
  readonly llm: Llm | undefined;
}

/**
 * What the chat command core works on, for every platform (the service's App has it all; tests
 * and adapters hand over just this).
 */
export interface CommandDeps extends EnrichDeps {
  /** Deletes every record about the recipient, digests queued or sent included (forget-me). */
  forgetRecipient(recipient: Recipient): Promise<ForgetResult>;
}
