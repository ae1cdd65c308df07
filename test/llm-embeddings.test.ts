import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiEmbeddingProvider, EmbeddingApiError } from '../embeddings/openai.ts';
import { dot } from '../embeddings/provider.ts';
import { type EmbeddingConfig, type SelectDeps, selectProvider } from '../embeddings/select.ts';
import { ConfigError, loadConfig, type EnvOverrides } from '../src/config/config.ts';
import { createOpenAiClient } from '../src/llm/client.ts';
import { type OpenAiEmbeddingConfig, openAiProviderFromConfig } from '../src/llm/openai-embeddings.ts';
import { UsageCounters } from '../src/llm/usage.ts';
import { createLogger } from '../src/log.ts';
import { ProviderMismatchError } from '../src/corpus/index-files.ts';
import { openApp } from '../src/service/open-app.ts';
import { type FakeOpenAi, startFakeOpenAi } from './fixtures/openai/fake-openai.ts';
import { openSampleApp } from './helpers/sample-app.ts';

const log = createLogger('silent');
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('OpenAI embeddings provider against a local compatible server', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake.embeddings.length = 0;
    fake.onEmbeddings('ok');
  });

  const client = (retries = 0) =>
    createOpenAiClient(
      { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL, PAPERFEED_LLM_TIMEOUT_MS: 5_000, PAPERFEED_LLM_RETRIES: retries },
      log,
    );

  it('returns normalized vectors of the configured dimension, asking for floats and that dimension', async () => {
    const usage = new UsageCounters();
    const { provider } = await openAiProviderFromConfig(
      {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: fake.baseURL,
        PAPERFEED_OPENAI_EMBED_MODEL: 'text-embedding-3-small',
        PAPERFEED_OPENAI_EMBED_DIM: 256,
      },
      log,
      usage,
    );
    expect(provider).toMatchObject({ id: 'openai', model: 'text-embedding-3-small', dimension: 256, key: 'openai:text-embedding-3-small:256' });
    expect(fake.embeddings).toHaveLength(0); // a known model needs no probe

    const texts = ['sparse optimal transport', 'optimal transport with sparsity', 'a recipe for banana bread'];
    const vectors = await provider.embed(texts);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(256);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    // Order is kept: related texts are nearer each other than the unrelated one.
    expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[2]!));
    expect(fake.embeddings).toEqual([
      { model: 'text-embedding-3-small', input: texts, encoding_format: 'float', dimensions: 256 },
    ]);
    expect(usage.snapshot()).toMatchObject({ embedding_requests: 1, embedding_errors: 0 });
    expect(usage.snapshot().embedding_tokens).toBeGreaterThan(0);
  });

  it("learns an unknown model's size from one probe and does not send `dimensions` to it", async () => {
    const provider = await createOpenAiEmbeddingProvider({ client: client(), model: 'nomic-embed-text' });
    expect(provider.dimension).toBe(64);
    expect(provider.key).toBe('openai:nomic-embed-text:64');
    expect(fake.embeddings).toHaveLength(1);
    await provider.embed(['one text']);
    expect(fake.embeddings.every((b) => b.dimensions === undefined)).toBe(true);
  });

  it('splits large batches into several requests and keeps the order', async () => {
    const provider = await createOpenAiEmbeddingProvider({ client: client(), model: 'text-embedding-3-small', dimension: 16 });
    const texts = Array.from({ length: 300 }, (_, i) => `text number ${i}`);
    const vectors = await provider.embed(texts);
    expect(vectors).toHaveLength(300);
    expect(fake.embeddings.map((b) => (b.input as string[]).length)).toEqual([256, 44]);
    const [again] = await provider.embed([texts[299]!]);
    expect(Array.from(again!)).toEqual(Array.from(vectors[299]!));
  });

  it('refuses vectors of another size, and reports API errors with their status', async () => {
    const provider = await createOpenAiEmbeddingProvider({ client: client(), model: 'text-embedding-3-small', dimension: 32 });
    fake.onEmbeddings({ dimension: 48 });
    await expect(provider.embed(['x'])).rejects.toThrow(/48-d vector for input 0, expected 32/);
    fake.onEmbeddings({ status: 500 });
    const err = await provider.embed(['x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddingApiError);
    expect((err as Error).message).toMatch(/HTTP 500/);
  });

  it('is chosen only when PAPERFEED_EMBEDDINGS=openai, and then only with a key or base URL', async () => {
    const base: EmbeddingConfig & Partial<OpenAiEmbeddingConfig> = {
      PAPERFEED_EMBEDDINGS: 'openai',
      PAPERFEED_MODEL: 'none/none',
      PAPERFEED_MODEL_DIR: '/nonexistent/models',
      PAPERFEED_MODEL_CACHE_DIR: '/nonexistent/cache',
      PAPERFEED_OFFLINE: true,
      PAPERFEED_EMBED_BATCH: 8,
    };
    const lines: { msg: string; provider?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string }) });
    // As the composition root wires it (src/corpus/embedder-choice.ts): the factory sees the same config.
    const select = (config: typeof base) => {
      const deps: SelectDeps = {
        log,
        openai: () => openAiProviderFromConfig(config, log),
        loadBuiltinState: () => undefined,
        saveBuiltinState: () => undefined,
        corpus: () => ['a few words about optimal transport', 'and a few about diffusion models'],
      };
      return selectProvider(config, deps);
    };
    await expect(select(base)).rejects.toThrow(ConfigError);

    const chosen = await select({ ...base, OPENAI_BASE_URL: fake.baseURL, PAPERFEED_OPENAI_EMBED_DIM: 24 });
    expect(chosen.key).toBe('openai:text-embedding-3-small:24');
    expect(lines.at(-1)).toMatchObject({ provider: 'openai' });
    expect(lines.at(-1)!.msg).toMatch(/PAPERFEED_EMBEDDINGS=openai/);

    // auto never picks the paid API, even with a key at hand.
    const auto = await select({ ...base, PAPERFEED_EMBEDDINGS: 'auto', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL });
    expect(auto.id).toBe('builtin');
    expect(fake.embeddings).toHaveLength(0);
  });

  it('is refused by an index built with another provider, until `reindex` re-embeds', async () => {
    const sample = await openSampleApp();
    const dataDir = sample.dataDir;
    const builtinKey = sample.embedder.key;
    await sample.close();
    const env: EnvOverrides = {
      PAPERFEED_DATA_DIR: dataDir,
      PAPERFEED_LOG_LEVEL: 'silent',
      PAPERFEED_EMBEDDINGS: 'openai',
      OPENAI_BASE_URL: fake.baseURL,
      PAPERFEED_OPENAI_EMBED_DIM: '32',
    };
    try {
      const config = loadConfig({}, env);
      const err = await openApp(config, { log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderMismatchError);
      expect((err as Error).message).toContain(builtinKey);
      expect((err as Error).message).toContain('openai:text-embedding-3-small:32');
      expect(fake.embeddings).toHaveLength(0);

      const app = await openApp(config, { log, forReindex: true });
      try {
        const r = await app.reindex();
        expect(r.provider).toBe('openai:text-embedding-3-small:32');
        expect((await app.store.stats()).vectors['openai:text-embedding-3-small:32']).toBe(r.papers);
        // The index now holds the new vectors: a paper's own vector finds it first.
        const [paper] = await app.store.listPapers({ limit: 1, offset: 7 });
        const vector = (await app.search.vectorsFor([paper!])).get(paper!.id)!;
        expect(vector).toHaveLength(32);
        const [hit] = await app.search.nearest(vector, 1);
        expect(hit!.paper.id).toBe(paper!.id);
        expect(hit!.score).toBeCloseTo(1, 5);
      } finally {
        await app.close();
      }
      // Reopened normally now: the index matches the provider.
      const reopened = await openApp(config, { log });
      expect(reopened.embedder.key).toBe('openai:text-embedding-3-small:32');
      await reopened.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
