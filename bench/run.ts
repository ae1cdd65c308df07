// Runs every bench/*.bench.ts (or those named on the command line), prints one table of
// figures and writes them to bench/results/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, Figure } from './figures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const full = args.includes('--full');
const only = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(4));
/** One table per bench file, printed as soon as it finishes, so a later failure loses nothing. */
function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [f.bench, f.metric, fmt(f.value), f.unit, f.note ?? '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
  for (const r of rows) {
    console.log(r.map((c, i) => (i < 4 ? (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)) : c)).join('  '));
  }
}

const all: Figure[] = [];
for (const file of files) {
  const started = Date.now();
  process.stderr.write(`bench ${basename(file)} ...\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  const figures = await mod.default({ quick, full });
  all.push(...figures);
  printTable(figures);
  process.stderr.write(`bench ${basename(file)} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, full, figures: all }, null, 2),
);
