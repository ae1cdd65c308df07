import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { RecommendDeps } from './deps.ts';
import type { CachedEmbedding, Profile } from './profile.ts';
import { updateProfile } from './profile-store.ts';
import type { Recipient } from './recipient.ts';
import { normalizePhrase } from './text-match.ts';
import { decodeVector, encodeVector } from './vectors.ts';

/** The cached vector when it was made by the current embedder (same key and dimension). */
export function cachedVector(e: CachedEmbedding | undefined, embedder: EmbeddingProvider): Float32Array | undefined {
  if (!e || e.key !== embedder.key) return undefined;
  const v = decodeVector(e.vector);
  return v && v.length === embedder.dimension ? v : undefined;
}

export async function embedPhrase(app: RecommendDeps, text: string): Promise<{ vector: Float32Array; embedding: CachedEmbedding }> {
  const vector = await app.search.embedText(text);
  return { vector, embedding: { key: app.embedder.key, vector: encodeVector(vector) } };
}

/**
 * Vectors of the profile's topics, muted topics and text likes, by normalized text. Phrases embedded under
 * another embedder (the configured model changed) are embedded again now and the profile is
 * updated, so the cost is paid once per phrase and model.
 */
export async function phraseVectors(
  app: RecommendDeps,
  r: Recipient,
  profile: Profile,
  now: Date,
  opts: { persist: boolean },
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  const stale = new Map<string, string>();
  const entries = [...profile.topics.map((t) => ({ text: t.text, e: t.embedding })), ...profile.mutes
    .filter((m) => m.kind === 'topic' && Date.parse(m.until) > now.getTime())
    .map((m) => ({ text: m.value, e: m.embedding })), ...(profile.textLikes ?? []).map((t) => ({ text: t.text, e: t.embedding }))];
  for (const { text, e } of entries) {
    const norm = normalizePhrase(text);
    const v = cachedVector(e, app.embedder);
    if (v) out.set(norm, v);
    else if (!out.has(norm)) stale.set(norm, text);
  }
  if (stale.size === 0) return out;

  const fresh = new Map<string, CachedEmbedding>();
  for (const [norm, text] of stale) {
    const { vector, embedding } = await embedPhrase(app, text);
    out.set(norm, vector);
    fresh.set(norm, embedding);
  }
  app.log.debug({ phrases: stale.size, embedder: app.embedder.key }, 'profile phrases re-embedded');
  if (opts.persist) {
    await updateProfile(app, r, now, (p) => {
      for (const t of p.topics) t.embedding = fresh.get(normalizePhrase(t.text)) ?? t.embedding;
      for (const m of p.mutes) if (m.kind === 'topic') m.embedding = fresh.get(normalizePhrase(m.value)) ?? m.embedding;
      for (const t of p.textLikes ?? []) t.embedding = fresh.get(normalizePhrase(t.text)) ?? t.embedding;
    });
  }
  return out;
}
