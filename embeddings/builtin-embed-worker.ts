// Worker thread body of builtin-embed-pool.ts: holds one fitted state (sent once, at start) and
// embeds the batches of texts it is sent, moving each batch's vectors back packed in one array.
import { parentPort, workerData } from 'node:worker_threads';
import { reportReady } from '../src/ts-worker.ts';
import { builtinDimension, type BuiltinState, embedBuiltin } from './builtin.ts';

const port = parentPort!;
const state = workerData as BuiltinState;
const dim = builtinDimension(state.params);

port.on('message', (m: { id: number; texts: string[] }) => {
  try {
    const packed = new Float32Array(m.texts.length * dim);
    m.texts.forEach((t, i) => packed.set(embedBuiltin(state, t), i * dim));
    port.postMessage({ id: m.id, packed }, [packed.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) });
  }
});
reportReady();
