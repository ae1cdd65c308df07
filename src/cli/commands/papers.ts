import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Option } from 'commander';
import cliProgress from 'cli-progress';
import { UserError } from '../../errors.ts';
import { ingest, type IngestReport } from '../../pipeline/ingest.ts';
import { readFileSource } from '../../sources/files.ts';
import { toJsonl } from '../../sources/jsonl.ts';
import { createNetworkSource } from '../../sources/network.ts';
import type { PaperSource } from '../../sources/source.ts';
import type { RegisterCommand } from '../context.ts';
import { paperDetails, paperLine } from '../format.ts';
import { parseCount, parseDate } from '../options.ts';

/** Paper commands: ingest, list, show, stats, export. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('ingest')
    .description('ingest papers from files or folders (default: the sample data folder) or a network source')
    .argument('[paths...]', 'files or folders: .txt (Hugging Face page text), .jsonl, .json')
    .addOption(new Option('--source <name>', 'fetch from a network source instead of files').choices(['hf', 'arxiv']))
    .option('--date <date>', 'the day to fetch (YYYY-MM-DD), for --source', parseDate)
    .option('--category <cat...>', 'arXiv categories, for --source arxiv')
    .addOption(new Option('--arxiv-mode <mode>', 'arXiv export API query or RSS of new submissions').choices(['atom', 'rss']).default('atom'))
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], o: { source?: 'hf' | 'arxiv'; date?: string; category?: string[]; arxivMode: 'atom' | 'rss'; json?: boolean }) => {
      if (o.source && paths.length) throw new UserError('give either paths or --source, not both');
      if (!o.source && (o.date || o.category)) throw new UserError('--date and --category go with --source');
      await ctx.withApp(async (app) => {
        const sources: PaperSource[] = o.source
          ? [createNetworkSource(o.source, app.config, { date: o.date, categories: o.category, mode: o.arxivMode })]
          : (paths.length ? paths : [app.config.PAPERFEED_SAMPLE_DIR]).map((p) => readFileSource(p));
        const bar = !o.json && process.stderr.isTTY ? progressBar() : undefined;
        let stage = '';
        const report = await ingest(app, sources, {
          onStage: (s, name) => {
            stage = name ? `${s} ${name}` : s;
          },
          onProgress: (done, total) => {
            if (!bar) return;
            if (done === 0 || total !== bar.getTotal()) bar.start(total, done, { stage });
            else bar.update(done, { stage });
          },
        });
        bar?.stop();
        if (o.json) ctx.printJson(report);
        else ctx.print(ingestSummary(report));
      });
    });

  program
    .command('list')
    .description('list stored papers, newest first')
    .option('--date <date>', 'only papers published that day (YYYY-MM-DD)', parseDate)
    .option('-n, --limit <n>', 'at most this many', parseCount(1, 100_000), 50)
    .option('--json', 'print JSON')
    .action(async (o: { date?: string; limit: number; json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const papers = await app.store.listPapers({ published: o.date, limit: o.limit });
        if (o.json) ctx.printJson(papers);
        else if (papers.length === 0) ctx.print(o.date ? `No papers published on ${o.date}.` : 'No papers stored yet: run `paperfeed ingest`.');
        else ctx.print(papers.map(paperLine).join('\n'));
      });
    });

  program
    .command('show')
    .description('show one paper')
    .argument('<id>', 'paper id, arXiv id or arXiv/Hugging Face URL')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const paper = await app.store.getPaper(id);
        if (!paper) throw new UserError(`no stored paper '${id}' (try \`paperfeed list\` or \`paperfeed search "<words>"\`)`);
        if (o.json) ctx.printJson(paper);
        else ctx.print(paperDetails(paper));
      });
    });

  program
    .command('stats')
    .description('counts of papers, sources and vectors')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const stats = { ...(await app.store.stats()), embedder: app.embedder.key };
        if (o.json) ctx.printJson(stats);
        else {
          ctx.print(`papers: ${stats.papers}`);
          ctx.print(`by source: ${Object.entries(stats.bySource).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
          ctx.print(`embedder: ${stats.embedder}`);
          ctx.print(`vectors: ${Object.entries(stats.vectors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
          if (stats.newestSeen) ctx.print(`newest: ${stats.newestSeen}`);
        }
      });
    });

  program
    .command('export')
    .description('export every stored paper as JSON Lines (the format `ingest` reads)')
    .option('--jsonl', 'JSON Lines (the only format, accepted for clarity)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }) => {
      await ctx.withApp(async (app) => {
        const out = o.out ? createWriteStream(o.out) : process.stdout;
        for await (const page of app.store.iteratePapers({ pageSize: 5_000 })) {
          for (const p of page) {
            if (!out.write(toJsonl(p) + '\n')) await once(out, 'drain');
          }
        }
        if (o.out) {
          (out as NodeJS.WritableStream).end();
          await once(out, 'finish');
        }
      });
    });
};

function progressBar(): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format: '{stage} [{bar}] {value}/{total}', stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}

export function ingestSummary(r: IngestReport): string {
  const lines = [
    `read ${r.read} papers: ${r.added} new, ${r.merged} merged, ${r.unchanged} unchanged, ${r.duplicates} duplicates, ${r.skipped.length} skipped; ${r.embedded} embedded`,
  ];
  const shown = r.skipped.slice(0, 50);
  for (const s of shown) lines.push(`  skipped ${s.where}: ${s.problem}`);
  if (r.skipped.length > shown.length) lines.push(`  … and ${r.skipped.length - shown.length} more (use --json for all)`);
  return lines.join('\n');
}
