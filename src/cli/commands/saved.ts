// The reading list: `saved [--export ...]` (`save`, `unsave`, `history`: derived from their chat commands, ./core.ts).
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { exportReferences } from '../../commands/saved.ts';
import { REFERENCE_FORMATS, type ReferenceFormat } from '../../papers/reference-export.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import { listSaved } from '../../recommend/index.ts';
import type { RegisterCommand } from '../context.ts';

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
};
