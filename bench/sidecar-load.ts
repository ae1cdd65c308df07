// Opening one HNSW shard without reading its graph: what a cold CLI `similar` (one-query open)
// and a daily ingest (write-only open, for shards it does not write) pay per shard, of which the
// label map is the part that grows with the corpus.
//
//   node bin/run-ts.js bench/sidecar-load.ts <shard dir of a saved index> [runs, default 5]
//
// Reads the shard only: a temp directory gets a link to its graph and, from its sidecar, both
// layouts — version 1 (labels inside index.json) and version 2 (labels-<generation>.txt beside
// it) — and each is opened `runs` times per mode, alternating, each in a fresh process (as a CLI
// is; in one process the garbage of the previous open distorts the next), with a warm file cache.
// A build that cannot read a layout (an older release and version 2) says so instead of a figure.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHnswIndex, type LoadHnswOptions, SIDECAR_FILE } from '../src/index/hnsw-index.ts';
import { median } from './figures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const modes: Record<string, LoadHnswOptions> = { 'one-query': { fromFile: true }, 'write-only': { deferGraph: true } };

if (process.argv[2] === '--once') {
  // A child: one open, its milliseconds on stdout (or why it failed).
  const [, , , dir, mode, providerKey, dimension] = process.argv;
  const start = performance.now();
  const r = await loadHnswIndex(dir!, { providerKey: providerKey!, dimension: Number(dimension) }, modes[mode!]);
  const ms = performance.now() - start;
  console.log(r.ok ? JSON.stringify({ ms, count: r.index.info().count }) : JSON.stringify({ failed: r.message }));
  process.exit(0);
}

const [shardArg, runsArg] = process.argv.slice(2);
if (!shardArg) throw new Error('usage: bench/sidecar-load.ts <shard dir> [runs]');
const shard = resolve(shardArg);
const runs = Number(runsArg ?? 5);
const source = JSON.parse(readFileSync(join(shard, SIDECAR_FILE), 'utf8')) as Record<string, unknown>;
if (source.version !== 1) throw new Error(`${shard}: give a shard saved with labels inside index.json (version 1)`);
const labels = source.labels as string[];

const root = mkdtempSync(join(tmpdir(), 'paperfeed-sidecar-bench-'));
const layout = (name: string, sidecar: Record<string, unknown>) => {
  const dir = join(root, name);
  mkdirSync(dir);
  symlinkSync(join(shard, source.graphFile as string), join(dir, source.graphFile as string));
  writeFileSync(join(dir, SIDECAR_FILE), JSON.stringify(sidecar));
  return dir;
};
const v1 = layout('v1', source);
const labelsFile = 'labels-bench.txt';
const labelBytes = Buffer.from(`${labels.join('\n')}\n`);
const { labels: _inline, ...rest } = source;
const v2 = layout('v2', {
  ...rest,
  version: 2,
  labelsFile,
  labelCount: labels.length,
  labelsBytes: labelBytes.length,
  labelsSha256: createHash('sha256').update(labelBytes).digest('hex'),
});
writeFileSync(join(v2, labelsFile), labelBytes);

const live = labels.length - (source.deleted as number[]).length;
const times = new Map<string, number[]>();
const failed = new Map<string, string>();
try {
  for (let run = 0; run < runs; run++) {
    for (const mode of Object.keys(modes)) {
      for (const [name, dir] of [['v1', v1], ['v2', v2]] as const) {
        const key = `${mode} ${name}`;
        const args = [join(here, '..', 'bin', 'run-ts.js'), join(here, 'sidecar-load.ts'), '--once', dir, mode, String(source.providerKey), String(source.dimension)];
        const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as { ms?: number; count?: number; failed?: string };
        if (out.failed !== undefined) failed.set(key, out.failed);
        else if (out.count !== live) throw new Error(`${key}: ${out.count} papers, ${live} expected`);
        else times.set(key, [...(times.get(key) ?? []), out.ms!]);
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(`${shard}: ${labels.length} labels, index.json ${readFileSync(join(shard, SIDECAR_FILE)).length} bytes; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const [key, ms] of times) console.log(`${key}: median ${median(ms).toFixed(0)} ms of ${ms.length} (${ms.map((m) => m.toFixed(0)).join(', ')})`);
for (const [key, message] of failed) console.log(`${key}: not readable by this build (${message.slice(0, 120)})`);
