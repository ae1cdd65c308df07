/**
 * `paperfeed ingest`: files and folders (JSON Lines, the arXiv metadata snapshot, Hugging Face
 * pages) or a network source (hf, arxiv, oai). A backfill resumes where an interrupted run
 * stopped unless --restart; it exits 1 when every item it met had to be skipped.
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { UserError } from '../../errors.ts';
import { ingest, MAX_LISTED_ISSUES, type IngestReport } from '../../pipeline/ingest.ts';
import { arxivFilterSchema, splitCategories } from '../../sources/arxiv-filter.ts';
import { FILE_FORMATS, type FileFormat } from '../../sources/file-formats.ts';
import { readFileSource } from '../../sources/files.ts';
import { createNetworkSource } from '../../sources/network.ts';
import type { PaperSource, SourceProgress } from '../../sources/source.ts';
import { describeZodError } from '../../sources/validate.ts';
import type { App } from '../../service/app.ts';
import type { CliContext } from '../context.ts';
import { parseDate } from '../options.ts';

interface IngestFlags {
  source?: 'hf' | 'arxiv' | 'oai';
  format: FileFormat;
  date?: string;
  category?: string[];
  since?: string;
  set?: string;
  from?: string;
  until?: string;
  arxivMode: 'atom' | 'rss';
  restart?: boolean;
  json?: boolean;
}

export function registerIngest(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('ingest papers from files or folders (default: the sample data folder) or a network source')
    .argument('[paths...]', 'files or folders: .txt (Hugging Face page text), .jsonl, .json (also the arXiv metadata snapshot)')
    .addOption(new Option('--source <name>', 'fetch from a network source instead of files').choices(['hf', 'arxiv', 'oai']))
    .addOption(new Option('--format <format>', 'file format (auto: by extension and first record)').choices(FILE_FORMATS).default('auto'))
    // Not variadic: `--category cs.LG papers.json` must not take the path for a category.
    .option(
      '--category <cats>',
      'arXiv categories, comma-separated or repeated (cs.LG,cs.CL; cs. or cs for all of cs): the query of --source arxiv, else a filter',
      (value: string, previous: string[] = []) => [...previous, ...splitCategories(value)],
    )
    .option('--since <date>', 'only papers first submitted on or after this day (YYYY-MM-DD), for files and --source oai', parseDate)
    .option('--date <date>', 'the day to fetch (YYYY-MM-DD), for --source hf|arxiv', parseDate)
    .option('--set <set>', 'OAI-PMH set (cs, math, physics:hep-th), for --source oai')
    .option('--from <date>', 'first datestamp to harvest (YYYY-MM-DD), for --source oai', parseDate)
    .option('--until <date>', 'last datestamp to harvest (YYYY-MM-DD), for --source oai', parseDate)
    .addOption(new Option('--arxiv-mode <mode>', 'arXiv export API query or RSS of new submissions').choices(['atom', 'rss']).default('atom'))
    .option('--restart', 'read from the start, ignoring where an interrupted run stopped')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], o: IngestFlags) => {
      checkFlags(paths, o);
      await ctx.withApp(async (app) => {
        const bar = !o.json && process.stderr.isTTY ? progressBar() : undefined;
        let stage = '';
        let report: IngestReport;
        try {
          report = await ingest(app, sources(app, paths, o), {
            restart: o.restart,
            onStage: (s, name) => {
              stage = name ? `${s} ${name}` : s;
            },
            onReadProgress: bar ? (progress, read) => showRead(bar, stage, progress, read) : undefined,
            onProgress: bar
              ? (done, total) => {
                  if (done === 0 || total !== bar.getTotal()) bar.start(total, done, { stage, amount: `${done}/${total}`, papers: '' });
                  else bar.update(done, { stage, amount: `${done}/${total}` });
                }
              : undefined,
          });
        } finally {
          bar?.stop();
        }
        if (o.json) ctx.printJson(report);
        else ctx.print(ingestSummary(report));
        if (report.read === 0 && report.skippedCount > 0) {
          throw new Error(`nothing could be read: all ${report.skippedCount} items were skipped (see the report above)`);
        }
      }, { indexAccess: 'write-only', batch: true });
    });
}

function checkFlags(paths: string[], o: IngestFlags): void {
  const given = (names: (keyof IngestFlags)[]) => names.filter((n) => o[n] !== undefined).map((n) => `--${n}`);
  if (o.source && paths.length) throw new UserError('give either paths or --source, not both');
  if (o.source && o.format !== 'auto') throw new UserError('--format goes with files, not --source');
  const notFor = (flags: string[], what: string) => {
    if (flags.length) throw new UserError(`${flags.join(', ')} ${flags.length > 1 ? 'do' : 'does'} not go with ${what}`);
  };
  if (!o.source) notFor(given(['date', 'set', 'from', 'until']), 'files (they are for --source)');
  if (o.source === 'oai') notFor(given(['date']), '--source oai (use --from and --until)');
  if (o.source === 'hf' || o.source === 'arxiv') notFor(given(['set', 'from', 'until', 'since']), `--source ${o.source}`);
  if (o.source === 'hf') notFor(given(['category']), '--source hf');
}

function sources(app: App, paths: string[], o: IngestFlags): PaperSource[] {
  const categories = o.category;
  const checked = arxivFilterSchema.safeParse({ categories, since: o.since });
  if (!checked.success) throw new UserError(`invalid filter: ${describeZodError(checked.error)}`);
  const filter = checked.data;
  try {
    if (o.source === 'oai') return [createNetworkSource('oai', app.config, { set: o.set, from: o.from, until: o.until, filter })];
    if (o.source) return [createNetworkSource(o.source, app.config, { date: o.date, categories, mode: o.arxivMode })];
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  return (paths.length ? paths : [app.config.PAPERFEED_SAMPLE_DIR]).map((p) => readFileSource(p, { format: o.format, filter, dataDir: app.config.dataDir }));
}

function progressBar(): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format: '{stage} [{bar}] {percentage}% {amount} {papers}', stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}

function showRead(bar: cliProgress.SingleBar, stage: string, p: SourceProgress, read: number): void {
  const total = Math.max(p.total ?? p.done, p.done, 1);
  const amount = p.unit === 'bytes' ? `${mb(p.done)}/${mb(total)} MB` : `${p.done}/${p.total ?? '?'} records`;
  const payload = { stage, amount, papers: `| ${read} papers` };
  if (bar.getTotal() !== total) bar.start(total, p.done, payload);
  else bar.update(p.done, payload);
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

export function ingestSummary(r: IngestReport): string {
  const filtered = r.filtered ? `, ${r.filtered} filtered out` : '';
  const lines = [
    `read ${r.read} papers: ${r.added} new, ${r.merged} merged, ${r.unchanged} unchanged, ${r.duplicates} duplicates, ${r.skippedCount} skipped${filtered}; ${r.embedded} embedded`,
  ];
  for (const { source, from } of r.resumed) lines.push(`  resumed ${source} from ${JSON.stringify(from)} (--restart reads it all again)`);
  const shown = r.skipped.slice(0, 50);
  for (const s of shown) lines.push(`  skipped ${s.where}: ${s.problem}`);
  if (r.skippedCount > shown.length) lines.push(`  … and ${r.skippedCount - shown.length} more (--json lists up to ${MAX_LISTED_ISSUES})`);
  return lines.join('\n');
}
