// Worker thread body of SqliteVectors.prune: drops one vector table whole on a connection of its
// own, so the second a DROP TABLE takes at a million vectors is not spent on a service's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { reportReady } from '../ts-worker.ts';
import { dropVectorTable } from './sqlite-vectors.ts';

const { file, name, keep } = workerData as { file: string; name: string; keep: string[] };
// Started by the parent's word, once it listens for the answer.
parentPort!.once('message', () => {
  try {
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      parentPort!.postMessage({ ok: true, dropped: dropVectorTable(db, name, keep) });
    } finally {
      db.close();
    }
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: (err as Error).message });
  }
});
reportReady();
