import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { UserError } from '../../errors.ts';
import { toJsonl } from '../../sources/jsonl.ts';
import type { RegisterCommand } from '../context.ts';
import { paperDetails, paperLine } from '../format.ts';
import { registerIngest } from './ingest.ts';
import { parseCount, parseDate } from '../options.ts';

/** Paper commands: ingest, list, show, stats, export, reindex. */
export const register: RegisterCommand = (program, ctx) => {
  registerIngest(program, ctx);

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

  program
    .command('reindex')
    .description('re-embed every paper with the configured provider and rebuild the index')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const r = await app.reindex();
        if (o.json) ctx.printJson(r);
        else ctx.print(`reindexed ${r.papers} papers with ${r.provider} (${r.embedded} embedded, the rest from the cache)`);
      }, { forReindex: true, batch: true });
    });
};
