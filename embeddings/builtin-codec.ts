// Binary form of the built-in provider's fitted state, so that it survives restarts and its
// fingerprint names exactly one fit.
//
// Layout: "PFBT" | u32 LE header length | JSON header | deflate(df u32[] | vocab u32[] | loadings f32[])
//         | sha256 of everything before (32 bytes). Numbers are little-endian.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateSync, inflate } from 'node:zlib';
import { z } from 'zod';
import { loopSlices } from '../src/loop-slices.ts';
import type { BuiltinParams, BuiltinState } from './builtin.ts';

const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('PFBT', 'ascii');
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const inflateAsync = promisify(inflate);
/** Loadings checked between two looks at the clock (loopSlices). */
const CHECK_STEP = 1 << 16;

type StateBody = Omit<BuiltinState, 'fingerprint'>;

function bytes(a: Uint32Array | Float32Array): Buffer {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return LITTLE_ENDIAN ? b : Buffer.from(b).swap32();
}

export function encodeState(state: StateBody): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      version: FORMAT_VERSION,
      params: state.params,
      docCount: state.docCount,
      vocabSize: state.vocab.length,
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const payload = deflateSync(Buffer.concat([bytes(state.df), bytes(state.vocab), bytes(state.loadings)]));
  const body = Buffer.concat([MAGIC, len, header, payload]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Ten hex digits of the serialized state's hash. */
export function stateFingerprint(state: StateBody): string {
  return createHash('sha256').update(encodeState(state)).digest('hex').slice(0, 10);
}

/**
 * The fingerprint of an encoded state, from its bytes: what stateFingerprint gives for the state
 * it decodes to, when this zlib wrote it (a blob written by another zlib may deflate differently,
 * so a loader records the fingerprint with the blob rather than trusting this on an old blob).
 */
export function blobFingerprint(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex').slice(0, 10);
}

/** A blob's own checksum (its last 32 bytes, in hex): names one blob without hashing it again. */
export function blobChecksum(blob: Uint8Array): string {
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).subarray(Math.max(0, blob.byteLength - 32)).toString('hex');
}

/** The papers a stored fit was made on, from its header alone (no inflating, no checks of the tables). */
export function stateDocCount(blob: Uint8Array): number {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 8 || !b.subarray(0, 4).equals(MAGIC)) throw new Error('corrupt built-in embedding state: not a paperfeed built-in state (bad magic)');
  const header = z.object({ docCount: z.number().int().min(0) }).safeParse(JSON.parse(b.subarray(8, 8 + b.readUInt32LE(4)).toString('utf8')));
  if (!header.success) throw new Error('corrupt built-in embedding state: bad header');
  return header.data.docCount;
}

/**
 * Decodes and checks a stored state. A serving process does this when it takes up another
 * process's new fit, so the tables are inflated in the thread pool, straight into one buffer of
 * their known size, and checked in slices: inflating, joining zlib's chunks and checking 3.8M
 * loadings on the event loop took ~270 ms at 1M papers (more on a busy machine).
 */
export async function decodeState(buf: Uint8Array, paramsSchema: z.ZodType<BuiltinParams>): Promise<StateBody> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const fail = (why: string): never => {
    throw new Error(`corrupt built-in embedding state (${b.length} bytes): ${why}; delete it to refit`);
  };
  if (b.length < MAGIC.length + 4 + 32 || !b.subarray(0, 4).equals(MAGIC)) fail('not a paperfeed built-in state (bad magic)');
  const body = b.subarray(0, b.length - 32);
  if (!createHash('sha256').update(body).digest().equals(b.subarray(b.length - 32))) fail('checksum mismatch');
  const headerLen = body.readUInt32LE(4);
  if (8 + headerLen > body.length) fail('header length past the end');
  const headerSchema = z.object({
    version: z.literal(FORMAT_VERSION),
    params: paramsSchema,
    docCount: z.number().int().min(0),
    vocabSize: z.number().int().min(0),
  });
  let json: unknown;
  try {
    json = JSON.parse(body.subarray(8, 8 + headerLen).toString('utf8'));
  } catch (err) {
    return fail(`header is not JSON (${(err as Error).message})`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) fail(`bad header: ${parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const header = parsed.data!;
  const buckets = 2 ** header.params.bucketBits;
  const want = (buckets + header.vocabSize + header.vocabSize * header.params.lsaDimension) * 4;
  let raw: Buffer;
  try {
    // Room past the expected size: zlib then ends in the one chunk, which is returned as it is.
    raw = await inflateAsync(body.subarray(8 + headerLen), { chunkSize: want + 1024 });
  } catch (err) {
    return fail(`tables do not inflate (${(err as Error).message})`);
  }
  if (raw.length !== want) fail(`tables hold ${raw.length} bytes, expected ${want}`);
  if (!LITTLE_ENDIAN) raw.swap32();
  const aligned = raw.byteOffset % 4 === 0 ? raw : Buffer.from(new Uint8Array(raw));
  const df = new Uint32Array(aligned.buffer, aligned.byteOffset, buckets);
  const vocab = new Uint32Array(aligned.buffer, aligned.byteOffset + buckets * 4, header.vocabSize);
  const loadings = new Float32Array(aligned.buffer, aligned.byteOffset + (buckets + header.vocabSize) * 4, header.vocabSize * header.params.lsaDimension);
  for (let i = 0; i < vocab.length; i++) {
    if (vocab[i]! >= buckets || (i > 0 && vocab[i]! <= vocab[i - 1]!)) fail(`vocabulary entry ${i} out of order or range`);
  }
  const slices = loopSlices();
  // Plain loops: every() with a callback over the 3.8M loadings took 40-160 ms of a cold query.
  for (let from = 0; from < loadings.length; from += CHECK_STEP) {
    const to = Math.min(loadings.length, from + CHECK_STEP);
    for (let i = from; i < to; i++) if (!Number.isFinite(loadings[i]!)) fail('non-finite LSA loading');
    await slices.pause();
  }
  return { params: header.params, docCount: header.docCount, df, vocab, loadings };
}
