import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../src/config/config.ts';

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.PAPERFEED_EMBEDDINGS).toBe('auto');
    expect(c.dataDir).toMatch(/\.paperfeed$/);
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PAPERFEED_HNSW_M: 'many', PAPERFEED_OFFLINE: 'perhaps', PAPERFEED_HF_URL: 'not a url' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PAPERFEED_HNSW_M');
    expect(msg).toContain('PAPERFEED_OFFLINE');
    expect(msg).toContain('PAPERFEED_HF_URL');
  });

  it('.env.example lists every variable the service reads', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = Object.keys(envSchema.shape).filter((k) => !listed.has(k));
    expect(missing).toEqual([]);
  });
});
