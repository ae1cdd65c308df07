// Fits the built-in provider in a worker thread: the fit (term statistics of every text, then a
// truncated SVD that takes seconds) never holds up the event loop of a serving process.
import { fileURLToPath } from 'node:url';
import { startTsWorker } from '../src/ts-worker.ts';
import { type BuiltinParams, type BuiltinState, DEFAULT_BUILTIN_PARAMS } from './builtin.ts';

/** Texts per message to the worker. */
const CHUNK = 500;
/** Chunks sent and not yet added: reading the next chunk overlaps adding this one. */
const IN_FLIGHT = 2;
const WORKER_FILE = fileURLToPath(new URL('./builtin-fit-worker.ts', import.meta.url));

type Reply = { ack: true } | { state: BuiltinState } | { error: string };

export async function fitBuiltinOffThread(
  texts: AsyncIterable<string> | Iterable<string>,
  params: BuiltinParams = DEFAULT_BUILTIN_PARAMS,
): Promise<BuiltinState> {
  const worker = await startTsWorker(WORKER_FILE, params);
  // One reply per message sent, in order; an error or an early exit fails whatever is waiting.
  const waiting: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (r: Reply) => ('error' in r ? fail(new Error(`fitting the built-in embedder failed: ${r.error}`)) : waiting.shift()?.resolve(r)));
  worker.on('error', (e) => fail(new Error(`fitting the built-in embedder failed: ${e.message}`)));
  worker.on('exit', (code) => fail(new Error(`the fit worker exited (code ${code}) before finishing`)));
  const send = (m: { texts: string[] } | { done: true }) =>
    new Promise<Reply>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push({ resolve, reject });
      worker.postMessage(m);
    });
  try {
    // The worker adds one chunk while the next is read here: IN_FLIGHT chunks at most, not the corpus.
    const sent: Promise<Reply>[] = [];
    const queue = (m: { texts: string[] }) => {
      const reply = send(m);
      // Awaited in turn below; a failure meanwhile must not count as unhandled.
      reply.catch(() => {});
      sent.push(reply);
    };
    let chunk: string[] = [];
    for await (const t of texts) {
      chunk.push(t);
      if (chunk.length === CHUNK) {
        queue({ texts: chunk });
        chunk = [];
        if (sent.length >= IN_FLIGHT) await sent.shift();
      }
    }
    if (chunk.length) queue({ texts: chunk });
    await Promise.all(sent);
    const reply = await send({ done: true });
    if (!('state' in reply)) throw new Error('the fit worker answered without a state');
    return reply.state;
  } finally {
    await worker.terminate();
  }
}
