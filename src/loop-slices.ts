// Long work in a serving process shares the event loop: it runs in slices of about SLICE_MS, and
// requests and timers run between them. Sized by elapsed time rather than by item count, because
// one item's cost varies a hundredfold (an HNSW insert at 10k papers and at 1M, a loaded machine).
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Work between two turns of the event loop: well under a /healthz budget of 100 ms. */
export const SLICE_MS = 10;

export interface LoopSlices {
  /** Lets the event loop run if this slice has used its time; otherwise returns at once. */
  pause(): Promise<void>;
}

export function loopSlices(sliceMs = SLICE_MS): LoopSlices {
  let started = performance.now();
  return {
    async pause() {
      if (performance.now() - started < sliceMs) return;
      await yieldToLoop();
      started = performance.now();
    },
  };
}
