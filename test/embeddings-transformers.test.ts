// The transformers.js provider, run for real on the tiny model the project generates: no
// download is possible here, so this is the same code path a real model takes.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel, TINY_MODEL_ID, type TinyModelInfo } from '../scripts/make-tiny-model.ts';
import { createTransformersProvider, ModelUnavailableError } from '../embeddings/transformers.ts';
import { dot, type EmbeddingProvider } from '../embeddings/provider.ts';

const TEXTS = [
  'Diffusion models for image generation with classifier-free guidance.',
  'Graph neural networks learn node representations by message passing.',
  'We study reinforcement learning from human feedback for language model alignment.',
];

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

/** A stand-in model hub on 127.0.0.1 that serves the tiny model's files and counts requests. */
function startHub(root: string): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const file = m ? join(root, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)) : '';
    if (!m || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-length': body.length }).end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests })),
  );
}

describe('transformers.js provider on the generated tiny model', () => {
  let dir: string;
  let info: TinyModelInfo;
  let provider: EmbeddingProvider;
  let hub: Awaited<ReturnType<typeof startHub>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-tiny-'));
    info = makeTinyModel(join(dir, 'models'));
    hub = await startHub(join(dir, 'models'));
    provider = await createTransformersProvider({
      model: TINY_MODEL_ID,
      modelDir: join(dir, 'models'),
      cacheDir: join(dir, 'cache'),
      offline: true,
      batchSize: 2,
      hub: hub.url,
    });
  });

  afterAll(async () => {
    await provider?.close?.();
    await new Promise((ok) => hub?.server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the model and its dimension from config.json', () => {
    expect(provider.id).toBe('transformers');
    expect(provider.model).toBe(TINY_MODEL_ID);
    expect(provider.dimension).toBe(info.hiddenSize);
    expect(provider.key).toBe(`transformers:${TINY_MODEL_ID}:${info.hiddenSize}`);
  });

  it('gives unit-length vectors of the model dimension, one per text, in order', async () => {
    const vs = await provider.embed(TEXTS);
    expect(vs).toHaveLength(3);
    for (const v of vs) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(info.hiddenSize);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(await provider.embed([])).toEqual([]);
  });

  it('is deterministic across calls and independent of batching', async () => {
    const together = await provider.embed(TEXTS);
    const again = await provider.embed(TEXTS);
    const oneByOne = [];
    for (const t of TEXTS) oneByOne.push((await provider.embed([t]))[0]!);
    // Reversed order puts each text with other batch neighbours and other padding.
    const reversed = (await provider.embed([...TEXTS].reverse())).reverse();
    for (let i = 0; i < TEXTS.length; i++) {
      expect(Array.from(again[i]!)).toEqual(Array.from(together[i]!));
      expect(dot(oneByOne[i]!, together[i]!)).toBeCloseTo(1, 5);
      expect(dot(reversed[i]!, together[i]!)).toBeCloseTo(1, 5);
    }
  });

  it('gives different texts different vectors, and word order (context) matters a little', async () => {
    const [a, b, c] = await provider.embed(TEXTS);
    expect(dot(a!, b!)).toBeLessThan(0.99);
    expect(dot(a!, c!)).toBeLessThan(0.99);
    const [x, y] = await provider.embed(['neural networks for graphs', 'graphs for neural networks']);
    expect(dot(x!, y!)).toBeGreaterThan(0.9);
    const [p, q] = await provider.embed(['attention is all you need', 'attention is all you need plus memory']);
    expect(dot(p!, q!)).toBeLessThan(0.9999);
  });

  it('offline: sets allowRemoteModels=false and never contacts the hub', async () => {
    const { env } = await import('@huggingface/transformers');
    expect(env.allowRemoteModels).toBe(false);
    expect(hub.requests).toEqual([]);
  });

  it('offline with a missing model fails fast with a clear error and no request', async () => {
    const empty = join(dir, 'empty');
    const err = await createTransformersProvider({
      model: 'Xenova/all-MiniLM-L6-v2',
      modelDir: empty,
      cacheDir: join(dir, 'empty-cache'),
      offline: true,
      batchSize: 8,
      hub: hub.url,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain(join(empty, 'Xenova/all-MiniLM-L6-v2'));
    expect(msg).toContain('config.json');
    expect(msg).toContain('npm run tiny-model');
    expect(hub.requests).toEqual([]);
  });

  it('online: downloads a missing model from the hub into the cache dir, same vectors as local', async () => {
    const cacheDir = join(dir, 'download-cache');
    const downloaded = await createTransformersProvider({
      model: TINY_MODEL_ID,
      modelDir: join(dir, 'nothing-here'),
      cacheDir,
      offline: false,
      batchSize: 8,
      hub: hub.url,
    });
    try {
      expect(hub.requests.some((u) => u.endsWith('/onnx/model.onnx'))).toBe(true);
      expect(existsSync(join(cacheDir, TINY_MODEL_ID, 'onnx', 'model.onnx'))).toBe(true);
      const [a] = await downloaded.embed([TEXTS[0]!]);
      const [b] = await provider.embed([TEXTS[0]!]);
      expect(dot(a!, b!)).toBeCloseTo(1, 6);
    } finally {
      await downloaded.close?.();
    }
  });
});
