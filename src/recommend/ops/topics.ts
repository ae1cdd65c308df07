import { UserError } from '../../errors.ts';
import type { RecommendDeps } from '../deps.ts';
import { embedPhrase } from '../phrase-vectors.ts';
import { PROFILE_LIMITS, type Topic } from '../profile.ts';
import { loadProfile, updateProfile } from '../profile-store.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { checkRoom, cleanPhrase, clock, findEntry, samePhrase, type OpOptions } from './shared.ts';

/** A topic as shown to people and bots (without its cached vector). */
export interface TopicView {
  /** 1-based position: `remove 2` and `weight 2 1.5` refer to it. */
  position: number;
  text: string;
  weight: number;
  addedAt: string;
}

const view = (t: Topic, i: number): TopicView => ({ position: i + 1, text: t.text, weight: t.weight, addedAt: t.addedAt });

function checkWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight < PROFILE_LIMITS.minWeight || weight > PROFILE_LIMITS.maxWeight) {
    throw new UserError(`a topic weight is a number from ${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight}, got ${weight}`);
  }
  return weight;
}

/**
 * Adds a free-text topic ("diffusion models for inverse problems"), embedded now. Adding a topic
 * that exists (same words) updates its weight instead. Returns the topic and whether it was new.
 */
export async function addTopic(
  app: RecommendDeps,
  recipient: Recipient,
  text: string,
  opts: OpOptions & { weight?: number } = {},
): Promise<{ topic: TopicView; added: boolean }> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const phrase = cleanPhrase(text, 'a topic', PROFILE_LIMITS.topicLength);
  const weight = checkWeight(opts.weight ?? 1);
  const { embedding } = await embedPhrase(app, phrase);
  const { result } = await updateProfile(app, r, now, (p) => {
    const i = p.topics.findIndex((t) => samePhrase(t.text, phrase));
    if (i >= 0) {
      const t = p.topics[i]!;
      if (opts.weight !== undefined) t.weight = weight;
      t.embedding = embedding;
      return { topic: view(t, i), added: false };
    }
    checkRoom(p.topics.length, PROFILE_LIMITS.topics, 'topics');
    p.topics.push({ text: phrase, weight, addedAt: now.toISOString(), embedding });
    return { topic: view(p.topics.at(-1)!, p.topics.length - 1), added: true };
  });
  return result;
}

export async function listTopics(app: RecommendDeps, recipient: Recipient): Promise<TopicView[]> {
  const r = checkRecipient(recipient);
  const { value } = await loadProfile(app, r, new Date());
  return value.topics.map(view);
}

/** Removes a topic named by its position or its text. */
export async function removeTopic(app: RecommendDeps, recipient: Recipient, ref: string, opts: OpOptions = {}): Promise<TopicView> {
  const r = checkRecipient(recipient);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = findEntry(p.topics, ref, (t) => t.text, 'topic');
    const [removed] = p.topics.splice(i, 1);
    return view(removed!, i);
  });
  return result;
}

/** Sets how much a topic counts (its similarity is multiplied by the weight; default 1). */
export async function weightTopic(
  app: RecommendDeps,
  recipient: Recipient,
  ref: string,
  weight: number,
  opts: OpOptions = {},
): Promise<TopicView> {
  const r = checkRecipient(recipient);
  const w = checkWeight(weight);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = findEntry(p.topics, ref, (t) => t.text, 'topic');
    p.topics[i]!.weight = w;
    return view(p.topics[i]!, i);
  });
  return result;
}
