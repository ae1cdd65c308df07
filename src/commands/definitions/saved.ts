// `save <paper>`, `unsave <paper>`, `saved [--export bibtex|jsonl|csl]`: the reading list.
import { z } from 'zod';
import type { Paper } from '../../papers/paper.ts';
import { REFERENCE_FORMATS, toBibtex, toCslJson, type ReferenceFormat } from '../../papers/reference-export.ts';
import { listSaved, savePaper, unsavePaper } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { toJsonl } from '../../sources/jsonl.ts';
import { COMMAND_LIMITS, scopeSchema, type Scope } from '../command.ts';
import { cliOptions, type CliForms } from '../cli-form.ts';
import { choiceOption, optional } from '../slash-form.ts';
import { defineCommand, profileChange, textCommand } from '../definition.ts';
import { clockOf, scopedRecipient, userRecipient, type CommandContext } from '../context.ts';
import { literal } from '../markup.ts';
import { cardFromPaper, noticeReply, okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

/** Cards shown by `saved`: the newest; the count says how many more there are. */
export const SAVED_SHOWN = 10;

/**
 * Longest export shown in a chat reply. Chat returns the export as text (Slack sections hold 3,000
 * characters, a Discord message 2,000 and the adapters split longer text): beyond this it would be
 * a wall of messages, so a longer list is named and sent to the CLI instead.
 */
export const CHAT_EXPORT_MAX = 6_000;

export function exportReferences(papers: readonly Paper[], format: ReferenceFormat): string {
  switch (format) {
    case 'bibtex':
      return toBibtex(papers);
    case 'csl':
      return toCslJson(papers);
    case 'jsonl':
      return papers.map((p) => `${toJsonl(p)}\n`).join('');
  }
}

const LIST = 'the reading list';

const applySave = profileChange(LIST, savePaper);

const applyUnsave = profileChange(LIST, unsavePaper);

export async function save(app: CommandDeps, ctx: CommandContext, paper: string, scope?: Scope): Promise<Reply> {
  const s = await applySave(app, ctx, paper, scope);
  return okReply(
    s.added
      ? `🔖 Saved ${quote(s.title)} (${s.paperId}) to your reading list. Papers like it will rank higher; \`saved\` lists them.`
      : `${quote(s.title)} (${s.paperId}) is already on your reading list.`,
    'private',
  );
}

export async function unsave(app: CommandDeps, ctx: CommandContext, paper: string, scope?: Scope): Promise<Reply> {
  const s = await applyUnsave(app, ctx, paper, scope);
  return okReply(`Removed ${quote(s.title)} (${s.paperId}) from your reading list.`, 'private');
}

type SavedCommand = z.output<typeof savedSchema>;

export async function saved(app: CommandDeps, ctx: CommandContext, cmd: SavedCommand): Promise<Reply> {
  const list = await listSaved(app, userRecipient(ctx), { now: clockOf(ctx) });
  if (list.length === 0) return noticeReply('Your reading list is empty. Save a paper with the 🔖 button or `save <arXiv id>`.');
  const papers = list.flatMap((s) => s.paper ?? []);
  const gone = list.length - papers.length;
  const goneNote = gone ? ` (${gone} no longer stored, left out)` : '';
  if (cmd.export) {
    const text = exportReferences(papers, cmd.export);
    const head = `Your reading list as ${cmd.export}: ${papers.length} ${papers.length === 1 ? 'paper' : 'papers'}${goneNote}.`;
    if (text.length > CHAT_EXPORT_MAX) {
      return noticeReply(
        `${head} That is ${text.length.toLocaleString('en-US')} characters, too long for a chat message (at most ${CHAT_EXPORT_MAX.toLocaleString('en-US')}). ` +
          `Export it with the command line: \`paperfeed saved --user <your id> --export ${cmd.export}\`, or \`unsave\` papers you have read.`,
      );
    }
    return okReply(`${head}\n${literal(text)}`, 'private');
  }
  const shown = list.slice(0, SAVED_SHOWN);
  const more = list.length > shown.length ? `; the ${shown.length} newest shown (export shows all)` : '';
  const cards = shown.flatMap((s) => (s.paper ? [cardFromPaper(s.paper, [`saved ${s.at.slice(0, 10)}`])] : []));
  const missing = shown.filter((s) => !s.paper).map((s) => `${quote(s.title)} (${literal(s.paperId)}): no longer stored`);
  const count = `**Your reading list**: ${list.length} ${list.length === 1 ? 'paper' : 'papers'}${more}.`;
  return okReply([count, ...missing].join('\n'), 'private', cards);
}

const savedSchema = z.object({
  name: z.literal('saved'),
  // Chat leaves it out; the CLI's --channel lists the channel's list.
  scope: scopeSchema.optional(),
  export: z.enum(REFERENCE_FORMATS, 'an export format is bibtex, jsonl or csl').optional(),
});

/** The CLI's `saved`: the whole list as lines, or exported (to stdout or, with -o, a file: no chat size limit). */
const SAVED = cliOptions({ out: { flags: '-o, --out <file>', description: 'with --export: write to a file instead of stdout', value: z.string().min(1, 'name the file') } });
type SavedList = Awaited<ReturnType<typeof listSaved>>;

const savedCli: CliForms<z.input<typeof savedSchema>, SavedCommand, { cmd: SavedCommand; list: SavedList }, z.output<typeof SAVED.extra>> = {
  forms: [
    {
      name: 'saved',
      description: 'the reading list, newest first, or exported for a reference manager',
      options: [
        // The chat command's own --export (read by `build`), then the CLI's.
        { flags: '--export <format>', description: 'the whole list as BibTeX, JSON Lines (as `export --jsonl`) or CSL JSON (Zotero)', choices: REFERENCE_FORMATS },
        ...SAVED.options,
      ],
      jsonWhat: 'the list',
      build: (i, scope) => ({ name: 'saved', scope, ...(i.opts.export !== undefined ? { export: i.opts.export as ReferenceFormat } : {}) }),
    },
  ],
  extra: SAVED.extra,
  run: async (app, ctx, cmd) => ({ cmd, list: await listSaved(app, scopedRecipient(ctx, cmd.scope), { now: clockOf(ctx) }) }),
  async write({ cmd, list }, o, out) {
    if (!cmd.export) return false;
    await out.write(exportReferences(list.flatMap((s) => s.paper ?? []), cmd.export), o.out);
    return true;
  },
  json: ({ list }) => list.map(({ paper, ...s }) => ({ ...s, stored: paper !== undefined })),
  print({ list }) {
    if (list.length === 0) return 'The reading list is empty.';
    return [
      `${list.length} saved ${list.length === 1 ? 'paper' : 'papers'}, newest first:`,
      ...list.map((s, i) => `${String(i + 1).padStart(3)}. ${s.title} (${s.paperId}) · saved ${s.at.slice(0, 10)}${s.paper ? '' : ' · no longer stored'}`),
    ].join('\n');
  },
};

export const saveCommand = textCommand({
  name: 'save',
  aliases: ['bookmark'],
  field: 'paper',
  what: 'a paper',
  max: COMMAND_LIMITS.paperRef,
  usage: { section: 'Your library', forms: ['save <arXiv id | URL | title>'], summary: 'keep a paper on your reading list (the 🔖 button); it counts as a strong like' },
  say: 'which paper (an arXiv id, link or title)',
  slash: { description: 'Save a paper to your reading list (a strong like)', option: 'An arXiv id, link or title' },
  cli: {
    name: 'save',
    description: 'put a paper on the reading list (a strong like for picks)',
    argument: { name: '<paper>', description: 'arXiv id, URL, paper id or exact title' },
    run: applySave,
    print: (s) => (s.added ? `Saved '${s.title}' (${s.paperId}).` : `'${s.title}' (${s.paperId}) was already saved.`),
  },
  run: save,
});

export const unsaveCommand = textCommand({
  name: 'unsave',
  aliases: ['unbookmark'],
  field: 'paper',
  what: 'a paper',
  max: COMMAND_LIMITS.paperRef,
  usage: { section: 'Your library', forms: ['unsave <arXiv id | title | number>'], summary: 'take a paper off your reading list' },
  say: 'which paper (an arXiv id, title or its number in `saved`)',
  slash: { description: 'Take a paper off your reading list', option: 'An arXiv id, title, or its number in saved' },
  cli: {
    name: 'unsave',
    description: 'take a paper off the reading list',
    argument: { name: '<paper>', description: 'arXiv id, paper id, title, or its number in `saved`' },
    run: applyUnsave,
    print: (s) => `Removed '${s.title}' (${s.paperId}) from the reading list.`,
  },
  run: unsave,
});

export const savedCommand = defineCommand({
  name: 'saved',
  aliases: ['bookmarks'],
  schema: savedSchema,
  usage: { section: 'Your library', forms: ['saved', 'saved --export bibtex|jsonl|csl'], summary: 'your reading list, newest first, or exported for a reference manager' },
  /** `saved`, `saved --export bibtex`, `saved export csl`. */
  parse(w, { usage }) {
    if (w.args.length === 0) return { name: 'saved' as const };
    const flag = w.args[0]!.toLowerCase().replace(/^--?/, '');
    if (flag !== 'export' || w.args.length !== 2) return usage('Say `saved` or `saved --export bibtex|jsonl|csl`');
    return { name: 'saved' as const, export: w.args[1]!.toLowerCase() as 'bibtex' };
  },
  discord: {
    forms: [
      {
        name: 'saved',
        description: 'Your reading list, newest first, or exported',
        options: [choiceOption('export', 'Export as BibTeX, JSON Lines or CSL JSON (Zotero)', REFERENCE_FORMATS, false)],
        build: (o) => ({ name: 'saved' as const, ...optional('export', o.string('export') as ReferenceFormat | undefined) }),
      },
    ],
  },
  cli: savedCli,
  run: saved,
});
