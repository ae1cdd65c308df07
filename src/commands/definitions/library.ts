// `library import`: a researcher's reference library (attached file or pasted list) into their profile.
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { checkLibrarySize, SIZE_LIMIT_TEXT } from '../../library/detect.ts';
import { LIBRARY_LIMITS } from '../../library/entry.ts';
import { importLibraryFrom, type LibraryReport } from '../../library/import.ts';
import { readLibraryFile } from '../../library/read-file.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, scopeSchema } from '../command.ts';
import type { CliForms, CliInput } from '../cli-form.ts';
import { plainText } from '../text.ts';
import { optional, textOption } from '../slash-form.ts';
import { defineCommand } from '../definition.ts';
import { clockOf, scopedRecipient, userRecipient, type CommandContext } from '../context.ts';
import { literal } from '../markup.ts';
import { okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

type LibraryCommand = z.output<typeof librarySchema>;

/** Imports every attached file, or else the pasted list; one report each. */
export async function library(app: CommandDeps, ctx: CommandContext, cmd: LibraryCommand): Promise<Reply> {
  const r = userRecipient(ctx);
  const now = clockOf(ctx);
  const reports: string[] = [];
  if (ctx.attachments?.length) {
    for (const file of ctx.attachments) {
      if (file.size !== undefined) checkLibrarySize(file.size, file.name);
      const content = await file.read(LIBRARY_LIMITS.bytes);
      reports.push(libraryReportText(await importLibraryFrom(app, r, { name: file.name, content }, { now })));
    }
  } else if (cmd.text?.trim()) {
    reports.push(libraryReportText(await importLibraryFrom(app, r, { name: 'the pasted list', content: cmd.text }, { now })));
  } else {
    throw new UserError(`Attach your library (BibTeX, CSL JSON or RIS, at most ${SIZE_LIMIT_TEXT}) to 'library import', or paste arXiv ids, DOIs or links after it.`);
  }
  return okReply(reports.join('\n\n'), 'private');
}

const FORMAT_NAMES = { bibtex: 'BibTeX', 'csl-json': 'CSL JSON', ris: 'RIS', list: 'a list of ids' } as const;
/** Skipped entries named in a reply; the rest are counted (the CLI's --json has them all). */
const SHOWN_SKIPPED = 10;

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** A report in words (markdown-lite): counts, then the skipped entries by name. */
export function libraryReportText(r: LibraryReport): string {
  const by = (o: string) => r.matched.filter((m) => m.outcome === o).length;
  const newTexts = r.keptAsText.filter((t) => t.outcome === 'kept').length;
  const lines = [
    `**Library import** from ${literal(r.source)} (${FORMAT_NAMES[r.format]}): ${count(r.matched.length, 'matched paper')}, ${count(r.keptAsText.length, 'kept as text', 'kept as text')}, ${count(r.skipped.length, 'skipped', 'skipped')}.`,
  ];
  if (r.matched.length) {
    lines.push(`Matched stored papers: ${by('seed')} new seed papers, ${by('like')} new likes, ${by('already')} already in your profile.`);
  }
  if (r.keptAsText.length) {
    lines.push(`Not stored here, kept as text (title and abstract) that shapes your picks: ${newTexts} new, ${r.keptAsText.length - newTexts} kept before.`);
  }
  if (!r.changed && (r.matched.length || r.keptAsText.length)) lines.push('Nothing changed: everything in this library was already in your profile.');
  if (r.skipped.length) {
    lines.push('Skipped:');
    for (const s of r.skipped.slice(0, SHOWN_SKIPPED)) lines.push(`• ${literal(s.where)}: ${literal(s.reason)}`);
    if (r.skipped.length > SHOWN_SKIPPED) lines.push(`• and ${r.skipped.length - SHOWN_SKIPPED} more`);
  }
  return lines.join('\n');
}

/** The pasted list keeps its line breaks: parsers report entries by line. Attached files come in the context. */
const librarySchema = z.object({
  name: z.literal('library'),
  // Chat leaves it out; the CLI's --channel imports into the channel's profile.
  scope: scopeSchema.optional(),
  op: z.literal('import'),
  text: z.string().max(COMMAND_LIMITS.pastedList, `a pasted list is at most ${COMMAND_LIMITS.pastedList} characters; attach a file instead`).optional(),
});

// `library import <list>`: the text after it is read as typed, line breaks included.
const LIBRARY_IMPORT = /^\s*(?:\/papers\s+)?library\b(?:\s+(\S+))?([\s\S]*)$/i;

/** The CLI's `library import <file>`: a file on disk, where chat takes an attachment. */
const libraryExtra = z.object({ args: z.tuple([z.string().min(1, 'name the library file')]) }).transform((i) => ({ file: i.args[0] })) as unknown as z.ZodType<{ file: string }, CliInput>;

const libraryCli: CliForms<z.input<typeof librarySchema>, LibraryCommand, LibraryReport, { file: string }> = {
  groups: { library: "a researcher's reference library as seeds and likes" },
  forms: [
    {
      group: 'library',
      name: 'import',
      description: 'import a BibTeX, CSL JSON (Zotero) or RIS file, or a list of arXiv ids / DOIs / links: stored papers become seeds and likes, the rest text likes',
      arguments: [{ name: '<file>', description: 'the library file (at most 5 MB)' }],
      jsonWhat: 'the report (every entry: matched, kept as text or skipped, with the reason)',
      build: (_i, scope) => ({ name: 'library', scope, op: 'import' }),
    },
  ],
  extra: libraryExtra,
  run: async (app, ctx, cmd, { file }) => importLibraryFrom(app, scopedRecipient(ctx, cmd.scope), await readLibraryFile(file), { now: clockOf(ctx) }),
  print: (report) => plainText(libraryReportText(report)),
};

export const libraryCommand = defineCommand({
  name: 'library',
  schema: librarySchema,
  usage: {
    section: 'Your library',
    forms: ['library import (with a .bib, CSL JSON or RIS file attached)', 'library import <arXiv ids, DOIs or links>'],
    summary: 'start from your reference library: stored papers become seeds and likes, the others shape your picks by their text',
  },
  // Read before the length limit on commands: a pasted list is longer than any other command.
  parseText(text, { usage }) {
    const m = LIBRARY_IMPORT.exec(text.slice(0, 100)) ? LIBRARY_IMPORT.exec(text) : null;
    if (!m) return undefined;
    const op = m[1];
    if (op?.toLowerCase() !== 'import') return usage(op ? `\`library ${op.slice(0, 40)}\` is not a library command` : undefined);
    const list = m[2]!.trim();
    return { name: 'library' as const, op: 'import' as const, ...(list ? { text: list } : {}) };
  },
  discord: {
    groups: { library: 'Your reference library as seeds and likes' },
    forms: [
      {
        group: 'library',
        name: 'import',
        description: 'Import a BibTeX, CSL JSON or RIS file, or a list of arXiv ids and DOIs',
        options: [
          { type: 'attachment', name: 'file', description: 'Your library export (at most 5 MB)', required: false },
          textOption('list', 'arXiv ids, DOIs or links, separated by spaces', 4_000, { required: false }),
        ],
        // The file is read from the interaction's resolved attachments (bots/discord/interactions.ts), not from here.
        build: (o) => ({ name: 'library' as const, op: 'import' as const, ...optional('text', o.string('list')) }),
      },
    ],
  },
  cli: libraryCli,
  run: library,
});
