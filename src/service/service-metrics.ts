/**
 * The service's metrics: papers, index size, ingest and post counters, job outcomes, HTTP query
 * latency, the outbox by status, and language-model usage.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { USAGE_COUNTERS, USAGE_GAUGES, llmUsageSnapshot } from '../llm/usage.ts';
import { SIDECAR_FILE } from '../index/hnsw-index.ts';
import { MANIFEST_FILE, shardDir } from '../index/sharded-index.ts';
import { indexDir } from '../corpus/index-files.ts';
import type { App } from './app.ts';
import { Metrics, type Counter, type Histogram } from './metrics.ts';
import { OUTBOX_STATUSES, type Outbox } from './outbox.ts';

export interface ServiceMetrics {
  registry: Metrics;
  ingestRuns: Counter;
  ingestedPapers: Counter;
  posts: Counter;
  jobRuns: Counter;
  httpRequests: Counter;
  queryLatency: Histogram;
}

export function createServiceMetrics(app: App, outbox: Outbox): ServiceMetrics {
  const m = new Metrics();
  const startedAt = Date.now() / 1000;
  m.gauge('paperfeed_start_time_seconds', 'When this process started (Unix time).', () => [{ value: startedAt }]);
  m.gauge('paperfeed_papers', 'Papers in the store.', async () => [{ value: await app.store.count() }]);
  const savedIndex = savedIndexReader(indexDir(app.config.dataDir));
  m.gauge('paperfeed_index_vectors', 'Vectors in this replica\'s saved HNSW index.', async () => {
    const s = await savedIndex();
    return s ? [{ value: s.vectors }] : [];
  });
  m.gauge('paperfeed_index_bytes', 'Size of the saved HNSW graph files (all shards).', async () => {
    const s = await savedIndex();
    return s ? [{ value: s.bytes }] : [];
  });
  m.gauge('paperfeed_outbox_entries', 'Digests in the outbox by status.', async () => {
    const counts = await outbox.counts();
    return OUTBOX_STATUSES.map((status) => ({ labels: { status }, value: counts[status] }));
  });
  const usage = () => llmUsageSnapshot();
  for (const name of USAGE_COUNTERS) {
    m.gauge(`paperfeed_llm_${name}`, `Language-model usage since start: ${name.replace(/_/g, ' ')}.`, () => [{ value: usage()[name] }]);
  }
  for (const name of USAGE_GAUGES) {
    m.gauge(`paperfeed_llm_${name}`, `Language-model budget: ${name.replace(/_/g, ' ')}.`, () => [{ value: usage()[name] }]);
  }
  return {
    registry: m,
    ingestRuns: m.counter('paperfeed_ingest_runs_total', 'Ingest runs by result.'),
    ingestedPapers: m.counter('paperfeed_ingested_papers_total', 'Papers handled by ingest, by outcome (added, merged, unchanged, skipped).'),
    posts: m.counter('paperfeed_posts_total', 'Digests delivered, by platform and result (sent, failed).'),
    jobRuns: m.counter('paperfeed_job_runs_total', 'Scheduled job attempts by job and status.'),
    httpRequests: m.counter('paperfeed_http_requests_total', 'HTTP requests by route and status code.'),
    queryLatency: m.histogram('paperfeed_query_duration_seconds', 'Latency of /api/similar, /api/search and /api/picks.'),
  };
}

/**
 * The saved index's size, summed over its shards' sidecars (each re-read only when it changes:
 * an old one holds every paper id).
 */
function savedIndexReader(dir: string): () => Promise<{ vectors: number; bytes: number } | undefined> {
  const cache = new Map<string, { mtimeMs: number; value: { vectors: number; bytes: number } }>();
  const sidecar = async (file: string) => {
    const { mtimeMs } = await stat(file);
    const cached = cache.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached.value;
    const s = JSON.parse(await readFile(file, 'utf8')) as { labelCount?: number; labels?: unknown[]; deleted?: unknown[]; graphBytes?: number };
    // A version-2 sidecar counts its labels; a version-1 one holds them.
    const value = { vectors: (s.labelCount ?? s.labels?.length ?? 0) - (s.deleted?.length ?? 0), bytes: s.graphBytes ?? 0 };
    cache.set(file, { mtimeMs, value });
    return value;
  };
  return async () => {
    try {
      const { shards } = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { shards: number };
      let vectors = 0;
      let bytes = 0;
      for (let i = 0; i < shards; i++) {
        const s = await sidecar(join(shardDir(dir, i), SIDECAR_FILE));
        vectors += s.vectors;
        bytes += s.bytes;
      }
      return { vectors, bytes };
    } catch {
      return undefined; // no index saved yet, or one being replaced: no sample this scrape
    }
  };
}
