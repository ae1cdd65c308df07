// The reading list and delivery history: `saved [--export ...]`, `history` (`save`, `unsave`: derived from their chat commands, ./core.ts).
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { COMMAND_LIMITS } from '../../commands/command.ts';
import { exportReferences } from '../../commands/saved.ts';
import { REFERENCE_FORMATS, type ReferenceFormat } from '../../papers/reference-export.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import { deliveryHistory, listSaved } from '../../recommend/index.ts';
import type { RegisterCommand } from '../context.ts';
import { parseCount } from '../options.ts';

export const register: RegisterCommand = (program, ctx) => {
  addRecipientOptions(program.command('saved').description('the reading list, newest first, or exported for a reference manager'))
    .addOption(new Option('--export <format>', 'the whole list as BibTeX, JSON Lines (as `export --jsonl`) or CSL JSON (Zotero)').choices(REFERENCE_FORMATS))
    .option('-o, --out <file>', 'with --export: write to a file instead of stdout')
    .option('--json', 'print the list as JSON')
    .action(async (o: RecipientOpts & { export?: ReferenceFormat; out?: string; json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const list = await listSaved(app, recipientFrom(o));
        if (o.export) {
          const text = exportReferences(list.flatMap((s) => s.paper ?? []), o.export);
          if (o.out) await writeFile(o.out, text);
          else process.stdout.write(text);
          return;
        }
        if (o.json) return ctx.printJson(list.map(({ paper, ...s }) => ({ ...s, stored: paper !== undefined })));
        if (list.length === 0) return ctx.print('The reading list is empty.');
        ctx.print(`${list.length} saved ${list.length === 1 ? 'paper' : 'papers'}, newest first:`);
        list.forEach((s, i) => ctx.print(`${String(i + 1).padStart(3)}. ${s.title} (${s.paperId}) · saved ${s.at.slice(0, 10)}${s.paper ? '' : ' · no longer stored'}`));
      });
    });

  addRecipientOptions(program.command('history').description('papers delivered per day, with the reactions given'))
    .option('--days <n>', `how many days back (default ${COMMAND_LIMITS.historyDays}, at most ${COMMAND_LIMITS.maxHistoryDays})`, parseCount(1, COMMAND_LIMITS.maxHistoryDays), COMMAND_LIMITS.historyDays)
    .option('--json', 'print the history as JSON')
    .action(async (o: RecipientOpts & { days: number; json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const r = recipientFrom(o);
        const days = await deliveryHistory(app, r, r, o.days);
        if (o.json) return ctx.printJson(days);
        if (days.length === 0) return ctx.print(`Nothing delivered in the last ${o.days} days.`);
        for (const d of days) {
          ctx.print(d.date);
          for (const p of d.papers) {
            const marks = [p.reaction, p.saved ? 'saved' : undefined].filter(Boolean).join(', ');
            ctx.print(`  ${p.title} (${p.paperId})${marks ? ` [${marks}]` : ''}`);
          }
        }
      });
    });
};
