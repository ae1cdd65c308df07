// A realistic corpus of any size, written as arXiv would deliver it: one JSONL file per weekday
// (`<out>/days/YYYY-MM-DD.jsonl`, the format `paperfeed ingest` reads), ids YYMM.NNNNN numbered
// per month, and optionally the same papers as one big file (JSONL or the arXiv metadata
// snapshot). The last days can be held back (`<out>/held-back/`, not in the big file): the
// increments to ingest after the backfill. Streaming: one day is held in memory at a time, so 1M
// papers cost what 1k do.
//
//   node bin/run-ts.js bench/corpus/generate.ts --papers 100000 --out /tmp/corpus [--single all.jsonl]
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { rng } from '../../embeddings/rng.ts';
import { parseCount, parseDate } from '../../src/cli/options.ts';
import { arxivSnapshotRecord, createPaperGenerator, jsonlRecord } from './papers.ts';
import { loadSampleText } from './sample-text.ts';

export type SingleFormat = 'jsonl' | 'arxiv-snapshot';

export interface CorpusOptions {
  papers: number;
  out: string;
  seed?: number;
  /** Papers per weekday (arXiv cs.* gets about a thousand). At most 4,000: ids have five digits per month. */
  perDay?: number;
  /** First day (YYYY-MM-DD); weekends are skipped, as in arXiv's announcements. */
  start?: string;
  /** Also write every paper (except those held back) to this one file. */
  single?: string;
  singleFormat?: SingleFormat;
  /** The last this many days go to `<out>/held-back/` instead of `<out>/days/`, and not into `single`. */
  holdBack?: number;
  /** The sample folder the text is recombined from. */
  sampleDir?: string;
}

export interface CorpusDay {
  date: string;
  file: string;
  papers: number;
}

export interface CorpusSummary {
  papers: number;
  /** In date order; the held-back days are the last ones. */
  days: CorpusDay[];
  /** Made-up terms in the corpus (the vocabulary beyond the sample). */
  terms: number;
  /** A uniform sample of the papers not held back, to ask about. */
  picks: { id: string; title: string }[];
  ms: number;
}

export const MAX_PER_DAY = 4_000;
const PICKS = 256;
const defaultSampleDir = fileURLToPath(new URL('../../data/', import.meta.url));

export function generateCorpus(opts: CorpusOptions): CorpusSummary {
  const started = performance.now();
  const perDay = opts.perDay ?? 1_000;
  if (!Number.isInteger(opts.papers) || opts.papers < 1) throw new Error(`papers: expected a whole number of at least 1, got ${opts.papers}`);
  if (!Number.isInteger(perDay) || perDay < 1 || perDay > MAX_PER_DAY) throw new Error(`perDay: expected 1 to ${MAX_PER_DAY}, got ${perDay}`);
  const seed = opts.seed ?? 42;
  const generator = createPaperGenerator(loadSampleText(opts.sampleDir ?? defaultSampleDir), seed);
  const pickRng = rng(seed ^ 0x5eed);
  const picks: CorpusSummary['picks'] = [];
  const daysDir = join(opts.out, 'days');
  const heldDir = join(opts.out, 'held-back');
  mkdirSync(daysDir, { recursive: true });
  const holdBack = opts.holdBack ?? 0;
  if (holdBack > 0) mkdirSync(heldDir, { recursive: true });
  /** Papers written before the held-back days start. */
  const heldFrom = opts.papers - (holdBack > 0 ? (holdBack - 1) * perDay + (opts.papers % perDay || perDay) : 0);
  if (heldFrom < 0) throw new Error(`holdBack: ${holdBack} days is more than the corpus has`);
  const single = opts.single ? openSync(opts.single, 'w') : undefined;
  const singleRecord = opts.singleFormat === 'arxiv-snapshot' ? arxivSnapshotRecord : jsonlRecord;

  const days: CorpusDay[] = [];
  const day = new Date(`${opts.start ?? '2019-01-01'}T00:00:00Z`);
  let month = '';
  let inMonth = 0;
  let made = 0;
  try {
    while (made < opts.papers) {
      const weekday = day.getUTCDay();
      if (weekday !== 0 && weekday !== 6) {
        const date = day.toISOString().slice(0, 10);
        const yymm = date.slice(2, 4) + date.slice(5, 7);
        if (yymm !== month) [month, inMonth] = [yymm, 0];
        const count = Math.min(perDay, opts.papers - made);
        const held = holdBack > 0 && made >= heldFrom;
        const lines: string[] = [];
        const singleLines: string[] = [];
        for (let i = 0; i < count; i++) {
          const paper = generator.next(`${yymm}.${String(++inMonth).padStart(5, '0')}`, date);
          lines.push(jsonlRecord(paper));
          if (single !== undefined && !held) singleLines.push(singleRecord(paper));
          // Reservoir sampling (algorithm R) on its own PRNG, so the picks never change the text.
          const seen = made + i;
          if (held) continue;
          if (seen < PICKS) picks.push({ id: paper.id, title: paper.title });
          else {
            const j = Math.floor(pickRng() * (seen + 1));
            if (j < PICKS) picks[j] = { id: paper.id, title: paper.title };
          }
        }
        const file = join(held ? heldDir : daysDir, `${date}.jsonl`);
        writeWhole(file, lines.join('\n') + '\n');
        if (single !== undefined && !held) writeSync(single, singleLines.join('\n') + '\n');
        days.push({ date, file, papers: count });
        made += count;
      }
      day.setUTCDate(day.getUTCDate() + 1);
    }
  } finally {
    if (single !== undefined) closeSync(single);
  }
  return { papers: made, days, terms: generator.terms, picks, ms: performance.now() - started };
}

function writeWhole(file: string, text: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('generate')
    .description('write a generated corpus: daily JSONL files under <out>/days/, optionally one big file')
    .requiredOption('--papers <n>', 'how many papers', parseCount(1, 100_000_000))
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'PRNG seed (same seed, same corpus)', parseCount(0, 2 ** 31), 42)
    .option('--per-day <n>', 'papers per weekday', parseCount(1, MAX_PER_DAY), 1_000)
    .option('--start <date>', 'first day (YYYY-MM-DD)', parseDate, '2019-01-01')
    .option('--single <file>', 'also write every paper (except those held back) to this one file')
    .addOption(new Option('--single-format <format>', 'format of --single').choices(['jsonl', 'arxiv-snapshot']).default('jsonl'))
    .option('--hold-back <days>', 'write the last days to <out>/held-back/ (increments to ingest later), not to days/ or --single', parseCount(0, 10_000), 0)
    .parse(argv, { from: 'user' })
    .opts<{ papers: number; out: string; seed: number; perDay: number; start: string; single?: string; singleFormat: SingleFormat; holdBack: number }>();
  const s = generateCorpus({ ...o, out: resolve(o.out), single: o.single ? resolve(o.single) : undefined });
  const first = s.days[0]!;
  const last = s.days.at(-1)!;
  process.stdout.write(
    `${s.papers} papers in ${s.days.length} daily files (${first.date} .. ${last.date}) under ${join(resolve(o.out), 'days')}; ` +
      `${s.terms} made-up terms; ${(s.ms / 1000).toFixed(1)} s (${Math.round(s.papers / (s.ms / 1000))} papers/s)\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`generate: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
