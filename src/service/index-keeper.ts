import type { App } from './app.ts';

/**
 * The App with syncIndex serialized (a call made while one runs waits for it, then one run serves
 * every waiter), plus `follow`: sync only when the store's checksum moved since the last sync. The
 * checksum is the cheap check (cached in SQLite, one row in PostgreSQL); a sync, even a no-op one,
 * is not (the built-in embedder's state is re-read each time).
 */
export function withIndexKeeper(app: App): { app: App; follow(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let queued: Promise<{ embedded: number }> | undefined;
  let synced: string | undefined;
  const syncIndex: App['syncIndex'] = (o) => {
    if (queued) return queued;
    const next = running
      .catch(() => {})
      .then(async () => {
        queued = undefined;
        const before = await app.store.corpusChecksum();
        const result = await app.syncIndex(o);
        synced = before;
        return result;
      });
    queued = next;
    running = next;
    return next;
  };
  return {
    // A prototype link (not a copy) keeps live getters such as `embedder` working.
    app: Object.create(app, { syncIndex: { value: syncIndex } }) as App,
    async follow() {
      if ((await app.store.corpusChecksum()) !== synced) await syncIndex();
    },
  };
}
