import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUILTIN_PARAMS } from '../embeddings/builtin.ts';
import { makeTinyModel, TINY_MODEL_ID } from '../scripts/make-tiny-model.ts';
import { type EmbeddingConfig, type SelectDeps, selectProvider } from '../embeddings/select.ts';
import { ModelUnavailableError } from '../embeddings/transformers.ts';

const repo = resolve(import.meta.dirname, '..');
const CORPUS = [
  'Diffusion models for image generation. We train a denoising network on images.',
  'Graph neural networks learn node representations by message passing on graphs.',
  'Reinforcement learning from human feedback aligns language models with preferences.',
];

interface LogLine {
  level: number;
  msg: string;
  provider?: string;
}

function capture(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

/** A port on 127.0.0.1 where nothing listens: a "hub" that refuses at once. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

describe('selectProvider', () => {
  let dir: string;
  let modelDir: string;
  let deadHub: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-select-'));
    modelDir = join(dir, 'models');
    makeTinyModel(modelDir);
    deadHub = `http://127.0.0.1:${await closedPort()}/`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (over: Partial<EmbeddingConfig> = {}): EmbeddingConfig => ({
    PAPERFEED_EMBEDDINGS: 'auto',
    PAPERFEED_MODEL: TINY_MODEL_ID,
    PAPERFEED_MODEL_DIR: modelDir,
    PAPERFEED_MODEL_CACHE_DIR: join(dir, 'cache'),
    PAPERFEED_OFFLINE: true,
    PAPERFEED_EMBED_BATCH: 16,
    ...over,
  });

  function deps(log: pino.Logger, saved: { blob?: Buffer; corpusReads: number }): SelectDeps {
    return {
      log,
      hub: deadHub,
      loadBuiltinState: () => saved.blob,
      saveBuiltinState: (b) => {
        saved.blob = b;
      },
      corpus: () => {
        saved.corpusReads++;
        return CORPUS;
      },
    };
  }

  it('auto picks transformers when the model is in the model dir, with one info line', async () => {
    const { log, lines } = capture();
    const provider = await selectProvider(config(), deps(log, { corpusReads: 0 }));
    try {
      expect(provider.id).toBe('transformers');
      expect(provider.dimension).toBe(32);
      const info = lines.filter((l) => l.level === 30);
      expect(info).toHaveLength(1);
      expect(info[0]!.msg).toContain(`transformers.js ${TINY_MODEL_ID} (32-d) from ${join(modelDir, TINY_MODEL_ID)}`);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    } finally {
      await provider.close?.();
    }
  });

  it('auto falls back to the built-in provider when the local model is broken, saying why', async () => {
    const brokenDir = join(dir, 'broken');
    const { path } = makeTinyModel(brokenDir);
    writeFileSync(join(path, 'onnx', 'model.onnx'), 'not an onnx graph');
    const { log, lines } = capture();
    const provider = await selectProvider(config({ PAPERFEED_MODEL_DIR: brokenDir }), deps(log, { corpusReads: 0 }));
    expect(provider.id).toBe('builtin');
    const info = lines.filter((l) => l.level === 30);
    expect(info).toHaveLength(1);
    expect(info[0]!.msg).toContain(`model ${TINY_MODEL_ID} in ${path} failed to load`);
  });

  it('auto falls back to the built-in provider offline, fits it on the corpus and saves it', async () => {
    const { log, lines } = capture();
    const saved = { corpusReads: 0 } as { blob?: Buffer; corpusReads: number };
    const cfg = config({ PAPERFEED_MODEL: 'Xenova/all-MiniLM-L6-v2' });
    const provider = await selectProvider(cfg, deps(log, saved));
    expect(provider.id).toBe('builtin');
    expect(saved.corpusReads).toBe(1);
    expect(saved.blob).toBeInstanceOf(Buffer);
    const info = lines.filter((l) => l.level === 30);
    expect(info).toHaveLength(1);
    expect(info[0]!.msg).toMatch(/^embeddings: built-in TF-IDF \+ LSA \(512-d, fit [0-9a-f]{10} on 3 papers, fitted now\); no local model Xenova\/all-MiniLM-L6-v2 in .* and PAPERFEED_OFFLINE is set$/);

    // Next start: the saved state is loaded, not refitted, and gives the same vector space.
    const again = capture();
    const second = await selectProvider(cfg, deps(again.log, saved));
    expect(saved.corpusReads).toBe(1);
    expect(second.key).toBe(provider.key);
    expect(again.lines.filter((l) => l.level === 30)[0]!.msg).toContain('on 3 papers, loaded)');

    // Once the store holds many more papers than the fit saw, the state is refitted and saved.
    const grown = capture();
    const bigger = { ...deps(grown.log, saved), corpusSize: () => 500 };
    const third = await selectProvider(cfg, bigger);
    expect(saved.corpusReads).toBe(2);
    expect(third.key).toBe(provider.key); // same texts here, so the same fit
    expect(grown.lines.filter((l) => l.level === 30)[0]!.msg).toContain('refitted now: the corpus grew from 3 to 500 papers');
    const steady = capture();
    await selectProvider(cfg, { ...deps(steady.log, saved), corpusSize: () => 4 });
    expect(saved.corpusReads).toBe(2);
  });

  it('auto online with an unreachable hub falls back quickly and quietly', async () => {
    const { log, lines } = capture();
    const provider = await selectProvider(
      config({ PAPERFEED_MODEL: 'Xenova/all-MiniLM-L6-v2', PAPERFEED_OFFLINE: false }),
      deps(log, { corpusReads: 0 }),
    );
    expect(provider.id).toBe('builtin');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/no local model Xenova\/all-MiniLM-L6-v2 in .*, and hub 127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)$/);
  });

  it('refits a stored state fitted with other parameters, saying so', async () => {
    const saved = { corpusReads: 0 } as { blob?: Buffer; corpusReads: number };
    const cfg = config({ PAPERFEED_EMBEDDINGS: 'builtin' });
    const older = await selectProvider(cfg, { ...deps(capture().log, saved), builtinParams: { ...DEFAULT_BUILTIN_PARAMS, titleWeight: 1 } });
    const { log, lines } = capture();
    const current = await selectProvider(cfg, deps(log, saved));
    expect(saved.corpusReads).toBe(2);
    expect(current.key).not.toBe(older.key);
    expect(lines.filter((l) => l.level === 30)[0]!.msg).toContain('refitted now: the built-in parameters changed');
    // The refit is saved: the next start loads it.
    await selectProvider(cfg, deps(capture().log, saved));
    expect(saved.corpusReads).toBe(2);
  });

  it('builtin mode refits over a corrupt stored state with a warning', async () => {
    const { log, lines } = capture();
    const saved = { blob: Buffer.from('garbage state'), corpusReads: 0 };
    const provider = await selectProvider(config({ PAPERFEED_EMBEDDINGS: 'builtin' }), deps(log, saved));
    expect(provider.id).toBe('builtin');
    expect(saved.corpusReads).toBe(1);
    expect(lines.filter((l) => l.level === 40)[0]!.msg).toContain('unreadable');
    expect(lines.filter((l) => l.level === 30)[0]!.msg).toContain('PAPERFEED_EMBEDDINGS=builtin');
  });

  it('transformers mode without the model fails with the model dir and how to get it', async () => {
    const { log } = capture();
    const offline = selectProvider(
      config({ PAPERFEED_EMBEDDINGS: 'transformers', PAPERFEED_MODEL: 'Xenova/all-MiniLM-L6-v2' }),
      deps(log, { corpusReads: 0 }),
    );
    await expect(offline).rejects.toThrow(ModelUnavailableError);
    await expect(offline).rejects.toThrow(join(modelDir, 'Xenova/all-MiniLM-L6-v2'));
    const online = selectProvider(
      config({ PAPERFEED_EMBEDDINGS: 'transformers', PAPERFEED_MODEL: 'Xenova/all-MiniLM-L6-v2', PAPERFEED_OFFLINE: false }),
      deps(log, { corpusReads: 0 }),
    );
    await expect(online).rejects.toThrow(/cannot be downloaded: hub .* unreachable.*To fix: put the model's files in/);
  });

  it('choosing the built-in provider never loads onnxruntime', () => {
    // A fresh process: this one has loaded transformers.js above.
    const script = join(dir, 'builtin-only.mts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { createLogger } from ${JSON.stringify(join(repo, 'src/log.ts'))};
import { selectProvider } from ${JSON.stringify(join(repo, 'embeddings/select.ts'))};
const p = await selectProvider({ PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_MODEL: 'x/y', PAPERFEED_MODEL_DIR: '.', PAPERFEED_MODEL_CACHE_DIR: '.', PAPERFEED_OFFLINE: true, PAPERFEED_EMBED_BATCH: 8 },
  { log: createLogger('silent'), loadBuiltinState: () => undefined, saveBuiltinState: () => {}, corpus: () => ['a text about graphs'] });
await p.embed(['graphs']);
const maps = readFileSync('/proc/self/maps', 'utf8');
console.log(JSON.stringify({ id: p.id, onnx: /onnxruntime/.test(maps) }));
`,
    );
    const out = spawnSync(process.execPath, [join(repo, 'bin/run-ts.js'), script], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout.trim())).toEqual({ id: 'builtin', onnx: false });
  });
});
