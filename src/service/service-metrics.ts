/**
 * The service's metrics: papers, index size, ingest and post counters, job outcomes, HTTP query
 * latency, the outbox by status, and language-model usage.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { USAGE_COUNTERS, USAGE_GAUGES, llmUsageSnapshot } from '../llm/usage.ts';
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
  m.gauge('paperfeed_index_vectors', 'Vectors in this replica\'s live HNSW index.', () => [{ value: app.corpus.current().index.info().count }]);
  const graphBytes = savedGraphBytes(indexDir(app.config.dataDir));
  m.gauge('paperfeed_index_bytes', 'Size of the saved HNSW graph files (all shards).', async () => {
    const bytes = await graphBytes();
    return bytes === undefined ? [] : [{ value: bytes }];
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
 * The size of the saved graph files, from the manifest's list of them: reading the shards'
 * sidecars instead cost the first scrape after a start half a second of the event loop at 1M
 * papers (sidecars of earlier releases hold every paper id).
 */
function savedGraphBytes(dir: string): () => Promise<number | undefined> {
  return async () => {
    try {
      const { graphFiles } = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { graphFiles?: string[] };
      if (!graphFiles) return undefined;
      let bytes = 0;
      for (const [i, file] of graphFiles.entries()) bytes += (await stat(join(shardDir(dir, i), file))).size;
      return bytes;
    } catch {
      return undefined; // no index saved yet, or one being replaced: no sample this scrape
    }
  };
}
