// Worker thread body of builtin-fit-thread.ts: adds the texts it is sent to a fitter, one chunk
// at a time (acknowledging each, so the sender never queues the corpus), then fits and moves the
// state's arrays back (no copy, and no re-hash of the state on the serving thread).
import { parentPort, workerData } from 'node:worker_threads';
import { reportReady } from '../src/ts-worker.ts';
import { BuiltinFitter, type BuiltinParams } from './builtin.ts';

const port = parentPort!;
try {
  const fitter = new BuiltinFitter(workerData as BuiltinParams);
  port.on('message', (m: { texts: string[] } | { done: true }) => {
    try {
      if ('texts' in m) {
        for (const t of m.texts) fitter.add(t);
        port.postMessage({ ack: true });
        return;
      }
      const state = fitter.finish();
      port.postMessage({ state }, [state.df, state.vocab, state.loadings].map((a) => a.buffer as ArrayBuffer));
      port.close();
    } catch (err) {
      port.postMessage({ error: (err as Error).stack ?? String(err) });
      port.close();
    }
  });
  reportReady();
} catch (err) {
  port.postMessage({ error: (err as Error).stack ?? String(err) });
  port.close();
}
