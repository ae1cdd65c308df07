// `paperfeed library import refs.bib --user alice`: the chat command's import, from a file on disk.
import { libraryReportText } from '../../commands/library.ts';
import { plainText } from '../../commands/index.ts';
import { importLibraryFrom } from '../../library/import.ts';
import { readLibraryFile } from '../../library/read-file.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import type { RegisterCommand } from '../context.ts';

export const register: RegisterCommand = (program, ctx) => {
  const library = program.command('library').description("a researcher's reference library as seeds and likes");
  addRecipientOptions(
    library
      .command('import')
      .description('import a BibTeX, CSL JSON (Zotero) or RIS file, or a list of arXiv ids / DOIs / links: stored papers become seeds and likes, the rest text likes'),
  )
    .argument('<file>', 'the library file (at most 5 MB)')
    .option('--json', 'print the report as JSON (every entry: matched, kept as text or skipped, with the reason)')
    .action(async (file: string, o: RecipientOpts & { json?: boolean }) => {
      const input = await readLibraryFile(file);
      await ctx.withApp(async (app) => {
        const report = await importLibraryFrom(app, recipientFrom(o), input);
        if (o.json) ctx.printJson(report);
        else ctx.print(plainText(libraryReportText(report)));
      });
    });
};
