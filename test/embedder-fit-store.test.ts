/**
 * How the built-in fit is kept in the store: saved with its fingerprint, so that a later open
 * decodes the tables without re-encoding them to name the fit; an older store without that record
 * (or a record of another blob) is decoded the long way once and recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobChecksum, blobFingerprint, stateDocCount } from '../embeddings/builtin-codec.ts';
import { deserializeBuiltin, fitBuiltin, serializeBuiltin } from '../embeddings/builtin.ts';
import { loadConfig } from '../src/config/config.ts';
import { builtinOutgrownCheck, openingEmbedder } from '../src/corpus/embedder-choice.ts';
import { createLogger } from '../src/log.ts';
import { openSqliteStore, type SqlitePaperStore } from '../src/store/sqlite-store.ts';

const STATE = 'embeddings.builtin.state';
const FINGERPRINT = 'embeddings.builtin.fingerprint';
const log = createLogger('silent');
const texts = Array.from({ length: 40 }, (_, i) => `Paper ${i} about ${['graphs', 'routing', 'retrieval', 'speech'][i % 4]} and neural ${i % 7} models`);

let dir: string;
let store: SqlitePaperStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-fit-'));
  store = await openSqliteStore(join(dir, 'papers.sqlite'));
  await store.upsertPapers(texts.map((t, i) => ({ rawId: `2501.${String(i).padStart(5, '0')}`, title: t, abstract: `${t}. ${t}.`, source: 'arxiv-atom' })));
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const config = () => loadConfig({}, { PAPERFEED_DATA_DIR: dir, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_OFFLINE: 'true' });

describe('the built-in fit in the store', () => {
  it('names a blob by its bytes exactly as by the state it decodes to, and reads its size from the header', () => {
    const state = fitBuiltin(texts);
    const blob = serializeBuiltin(state);
    expect(blobFingerprint(blob)).toBe(state.fingerprint);
    expect(blobChecksum(blob)).toBe(blob.subarray(blob.length - 32).toString('hex'));
    expect(stateDocCount(blob)).toBe(40);
    expect(() => stateDocCount(Buffer.from('not a state at all'))).toThrow(/bad magic/);
  });

  it('is saved with its fingerprint, which the next open uses instead of recomputing it', async () => {
    const first = await openingEmbedder(config(), store, log, false);
    const blob = Buffer.from((await store.getMeta(STATE))!, 'base64');
    const fingerprint = (await deserializeBuiltin(blob)).fingerprint;
    expect(first.model).toContain(fingerprint);
    expect(await store.getMeta(FINGERPRINT)).toBe(`${blobChecksum(blob)}:${fingerprint}`);

    // A record for this very blob is trusted as it is (so it was not recomputed)...
    await store.setMeta(FINGERPRINT, `${blobChecksum(blob)}:recorded01`);
    expect((await openingEmbedder(config(), store, log, false)).model).toContain('recorded01');
    // ...a record of another blob (an older store, a crash between the two writes) is not: the fit is named the long way and recorded.
    await store.setMeta(FINGERPRINT, `${'0'.repeat(64)}:recorded01`);
    const reopened = await openingEmbedder(config(), store, log, false);
    expect(reopened.model).toContain(fingerprint);
    expect(reopened.key).toBe(first.key);
    expect(await store.getMeta(FINGERPRINT)).toBe(`${blobChecksum(blob)}:${fingerprint}`);
    // Same vectors as the first open.
    const text = 'neural routing on graphs';
    expect(Array.from((await reopened.embed([text]))[0]!)).toEqual(Array.from((await first.embed([text]))[0]!));
  });

  it('tells whether the corpus outgrew the fit from the fit header', async () => {
    const embedder = await openingEmbedder(config(), store, log, false);
    const check = builtinOutgrownCheck(store);
    expect(await check.outgrown(embedder)).toBe(false);
    await store.upsertPapers(Array.from({ length: 100 }, (_, i) => ({ rawId: `2502.${String(i).padStart(5, '0')}`, title: `More ${i}`, abstract: `Another text ${i}.`, source: 'arxiv-atom' })));
    // 140 papers against a fit of 40: past twice the fit and 50.
    expect(await builtinOutgrownCheck(store).outgrown(embedder)).toBe(true);
  });
});
