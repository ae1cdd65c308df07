import type { JobLocks, Lease } from './locks.ts';

/** The few node-redis calls used here (the client comes with @keyv/redis). */
interface RedisClient {
  connect(): Promise<unknown>;
  set(key: string, value: string, opts: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<string | null>;
  incr(key: string): Promise<number>;
  eval(script: string, opts: { keys: string[]; arguments: string[] }): Promise<unknown>;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
  destroy?(): void;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

// Compare-and-act scripts: only the holder (same token) may extend or delete the key.
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

const CONNECT_TIMEOUT_MS = 10_000;

/** SET NX PX locks; INCR gives the fencing token; the value is owner + token, so a stale holder cannot touch a newer lease. */
export class RedisLocks implements JobLocks {
  readonly kind = 'redis';

  private constructor(
    private readonly client: RedisClient,
    private readonly owner: string,
    private readonly prefix: string,
  ) {}

  static async open(url: string, owner: string, prefix = 'paperfeed:lock:'): Promise<RedisLocks> {
    const { createClient } = await import('@redis/client');
    let connected = false;
    const client = createClient({
      url,
      // While disconnected, lock calls fail at once (the job is skipped) instead of queueing.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        // At start, a server that is down is a clear error at once; later, a dropped connection is
        // retried with backoff (lock calls fail meanwhile, and a job without its lock does not run).
        reconnectStrategy: (retries: number) => (connected ? Math.min(100 * 2 ** retries, 5_000) : false),
      },
    }) as unknown as RedisClient;
    let lastError: Error | undefined;
    client.on('error', (err) => {
      lastError = err;
    });
    try {
      await client.connect();
      connected = true;
    } catch (err) {
      throw new Error(`cannot connect to Redis at ${url.replace(/\/\/([^/@]*)@/, '//***@')}: ${(lastError ?? (err as Error)).message}`);
    }
    return new RedisLocks(client, owner, prefix);
  }

  async tryAcquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const key = `${this.prefix}${name}`;
    // The token is taken before the lock, so the value written already names it.
    const fence = await this.client.incr(`${key}:fence`);
    const token = `${this.owner}#${fence}`;
    const ok = await this.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    if (ok !== 'OK') return undefined;
    const client = this.client;
    return {
      name,
      owner: this.owner,
      fence,
      async extend() {
        return Number(await client.eval(EXTEND, { keys: [key], arguments: [token, String(ttlMs)] })) === 1;
      },
      async release() {
        await client.eval(RELEASE, { keys: [key], arguments: [token] });
      },
    };
  }

  async close(): Promise<void> {
    if (this.client.close) await this.client.close();
    else if (this.client.quit) await this.client.quit();
    else this.client.destroy?.();
  }
}
