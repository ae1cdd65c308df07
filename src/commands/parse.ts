/**
 * Text → Command: `/papers topics add diffusion models`, an app mention, a DM, or `paperfeed chat`.
 * Anything malformed becomes a short usage Reply naming the right form. Nothing here looks up,
 * runs or fetches what the user typed; URLs stay text (the search service only reads ids out of them).
 */
import { feedbackKindOf } from '../recommend/index.ts';
import { COMMAND_LIMITS, commandSchema, type Command, type CommandInput, type CommandName, type Scope } from './command.ts';
import { WEEKDAYS } from '../digests/clock.ts';
import { usageReply } from './replies.ts';
import type { Reply } from './reply.ts';
import { unknownCommand, usageFor } from './usage.ts';

/** Other words people type for a command. */
const ALIASES: Record<string, CommandName> = {
  picks: 'today',
  like: 'similar',
  find: 'search',
  topic: 'topics',
  keyword: 'keywords',
  seeds: 'seed',
  digests: 'digest',
  forget: 'forget-me',
  forgetme: 'forget-me',
  bookmark: 'save',
  unbookmark: 'unsave',
  bookmarks: 'saved',
  '?': 'help',
};

const SUB_ALIASES: Record<string, string> = { rm: 'remove', delete: 'remove', del: 'remove', ls: 'list', tz: 'timezone', zone: 'timezone' };

type Parsed = CommandInput | Reply;

interface Words {
  /** The words after the command name, as typed. */
  args: string[];
  /** The text after the command name (original spacing collapsed). */
  rest: string;
}

const sub = (w: string | undefined): string | undefined => {
  const s = w?.toLowerCase();
  return s === undefined ? undefined : (SUB_ALIASES[s] ?? s);
};
const after = (args: string[], n: number): string => args.slice(n).join(' ');

/** True for a Reply from `parseCommand`, false for a Command. */
export function isReply(x: Command | Reply): x is Reply {
  return 'cards' in x && 'visibility' in x;
}

const isParsedReply = (p: Parsed): p is Reply => 'cards' in p && 'visibility' in p;

// `library import <list>`: the text after it is read as typed, line breaks included.
const LIBRARY_IMPORT = /^\s*(?:\/papers\s+)?library\b(?:\s+(\S+))?([\s\S]*)$/i;

/** Parses and validates command text; returns the Command or a usage Reply. */
export function parseCommand(text: string): Command | Reply {
  const lib = LIBRARY_IMPORT.exec(text.slice(0, 100)) ? LIBRARY_IMPORT.exec(text) : null;
  if (lib) return parseLibrary(lib[1], lib[2]!);
  if (text.length > COMMAND_LIMITS.input) {
    return usageReply(`That command is ${text.length} characters long; commands are at most ${COMMAND_LIMITS.input}.`);
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  // "/papers today" typed into a DM or a mention: the slash command name is noise.
  if (words[0]?.toLowerCase() === '/papers') words.shift();
  if (words.length === 0) return checked({ name: 'help' }, 'help');
  const first = words[0]!.toLowerCase();
  if (first === 'channel') return parseChannel(words.slice(1));
  const feedback = parseFeedback(words);
  if (feedback) return feedback;
  const name = ALIASES[first] ?? first;
  if (!isCommandName(name)) return unknownCommand(words[0]!);
  const args = words.slice(1);
  const parsed = parseFamily(name, { args, rest: args.join(' ') }, 'user');
  return isParsedReply(parsed) ? parsed : checked(parsed, name);
}

/** `up <paper>`, `down <paper>`, `not for me <paper>` (also `not-for-me`): named like the card buttons. */
function parseFeedback(words: string[]): Command | Reply | undefined {
  for (const n of [3, 1]) {
    const kind = words.length >= n ? feedbackKindOf(words.slice(0, n).join(' ')) : undefined;
    if (!kind) continue;
    const paper = words.slice(n).join(' ');
    if (!paper) return usageFor('feedback', 'Say which paper (an arXiv id, link or title)');
    return checked({ name: 'feedback', kind, paper }, 'feedback');
  }
  return undefined;
}

const NAMES = new Set<string>([
  'help', 'today', 'similar', 'search', 'ask', 'why', 'topics', 'keywords', 'follow', 'unfollow',
  'mute', 'unmute', 'seed', 'digest', 'profile', 'forget-me', 'save', 'unsave', 'saved', 'history', 'library',
] satisfies CommandName[]);
const isCommandName = (s: string): s is CommandName => NAMES.has(s);

function parseChannel(words: string[]): Command | Reply {
  const first = words[0]?.toLowerCase();
  const name = first ? (ALIASES[first] ?? first) : undefined;
  if (name !== 'topics' && name !== 'keywords' && name !== 'digest') {
    return usageFor('channel', first ? `\`channel ${first.slice(0, 40)}\` is not a channel command` : undefined);
  }
  const args = words.slice(1);
  const parsed = parseFamily(name, { args, rest: args.join(' ') }, 'channel');
  return isParsedReply(parsed) ? parsed : checked(parsed, 'channel');
}

/** Runs the command schema on a parsed command: its message names the problem. */
function checked(input: CommandInput, usageName: CommandName | 'channel'): Command | Reply {
  const result = commandSchema.safeParse(input);
  if (result.success) return result.data;
  const problem = result.error.issues[0]?.message ?? 'invalid command';
  return usageFor(usageName, capitalize(problem));
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function noArgs(name: CommandName, w: Words, cmd: CommandInput): Parsed {
  return w.args.length ? usageFor(name, `\`${name}\` takes no arguments`) : cmd;
}

function needRest(name: CommandName, w: Words, build: (rest: string) => CommandInput, what: string): Parsed {
  return w.rest ? build(w.rest) : usageFor(name, `Say ${what}`);
}

function parseFamily(name: CommandName, w: Words, scope: Scope): Parsed {
  switch (name) {
    case 'help':
      return { name: 'help', ...(w.rest ? { topic: w.rest.slice(0, 40) } : {}) };
    case 'feedback':
      // Reached only through parseFeedback's words; kept for the exhaustive switch.
      return usageFor('feedback');
    case 'today':
      return noArgs(name, w, { name: 'today' });
    case 'profile':
      return noArgs(name, w, { name: 'profile' });
    case 'forget-me':
      return noArgs(name, w, { name: 'forget-me' });
    case 'similar':
      return needRest(name, w, (query) => ({ name: 'similar', query }), 'which paper (arXiv id, link or title) or what text');
    case 'search':
      return needRest(name, w, (query) => ({ name: 'search', query }), 'what to search for');
    case 'ask':
      return needRest(name, w, (question) => ({ name: 'ask', question }), 'what you want to know');
    case 'why':
      return needRest(name, w, (paper) => ({ name: 'why', paper }), 'which paper');
    case 'follow':
      return needRest(name, w, (author) => ({ name: 'follow', author }), 'which author');
    case 'unfollow':
      return needRest(name, w, (author) => ({ name: 'unfollow', author }), 'which author');
    case 'topics':
      return parseTopics(w, scope);
    case 'keywords':
      return parseKeywords(w, scope);
    case 'mute':
    case 'unmute':
      return parseMute(name, w);
    case 'seed':
      return parseSeed(w);
    case 'digest':
      return parseDigest(w, scope);
    case 'library':
      // Reached only through parseCommand's LIBRARY_IMPORT; kept for the exhaustive switch.
      return usageFor('library');
    case 'save':
      return needRest(name, w, (paper) => ({ name: 'save', paper }), 'which paper (an arXiv id, link or title)');
    case 'unsave':
      return needRest(name, w, (paper) => ({ name: 'unsave', paper }), 'which paper (an arXiv id, title or its number in `saved`)');
    case 'saved':
      return parseSaved(w);
    case 'history':
      return parseHistory(w);
  }
}

/** `saved`, `saved --export bibtex`, `saved export csl`. */
function parseSaved(w: Words): Parsed {
  if (w.args.length === 0) return { name: 'saved' };
  const flag = w.args[0]!.toLowerCase().replace(/^--?/, '');
  if (flag !== 'export' || w.args.length !== 2) return usageFor('saved', 'Say `saved` or `saved --export bibtex|jsonl|csl`');
  return { name: 'saved', export: w.args[1]!.toLowerCase() as 'bibtex' };
}

/** `history`, `history 30`, `history 30d`, `history 30 days`. */
function parseHistory(w: Words): Parsed {
  if (w.args.length === 0) return { name: 'history' };
  const m = /^(\d{1,6})(d|days?)?$/i.exec(w.args[0]!);
  const rest = w.args.slice(1).map((a) => a.toLowerCase());
  if (!m || !(rest.length === 0 || (rest.length === 1 && /^days?$/.test(rest[0]!)))) return usageFor('history', 'Say how many days to look back, like `history 30`');
  return { name: 'history', days: Number(m[1]) };
}

/** "mon", "Monday", "mondays" → "monday". */
function weekdayWord(w: string | undefined): string | undefined {
  const s = w?.toLowerCase().replace(/s$/, '');
  if (!s || s.length < 3) return s;
  return WEEKDAYS.find((d) => d.startsWith(s)) ?? s;
}

function parseTopics(w: Words, scope: Scope): Parsed {
  const usage = scope === 'channel' ? 'channel' : 'topics';
  const op = sub(w.args[0]) ?? 'list';
  const text = after(w.args, 1);
  switch (op) {
    case 'list':
      return { name: 'topics', scope, op: 'list' };
    case 'add':
      return text ? { name: 'topics', scope, op: 'add', text } : usageFor(usage, 'Say which topic to add');
    case 'remove':
      return text ? { name: 'topics', scope, op: 'remove', ref: text } : usageFor(usage, 'Say which topic to remove (its number or text)');
    default:
      return usageFor(usage, `\`topics ${op.slice(0, 40)}\` is not a topics command`);
  }
}

function parseKeywords(w: Words, scope: Scope): Parsed {
  const usage = scope === 'channel' ? 'channel' : 'keywords';
  const op = sub(w.args[0]) ?? 'list';
  const phrase = after(w.args, 1);
  switch (op) {
    case 'list':
      return { name: 'keywords', scope, op: 'list' };
    case 'add':
    case 'remove':
      return phrase ? { name: 'keywords', scope, op, phrase } : usageFor(usage, `Say which keyword to ${op}`);
    default:
      return usageFor(usage, `\`keywords ${op.slice(0, 40)}\` is not a keywords command`);
  }
}

const MUTE_KINDS = { author: 'author', authors: 'author', keyword: 'keyword', keywords: 'keyword', word: 'keyword', topic: 'topic', topics: 'topic' } as const;

function parseMute(name: 'mute' | 'unmute', w: Words): Parsed {
  const kind = MUTE_KINDS[(w.args[0]?.toLowerCase() ?? '') as keyof typeof MUTE_KINDS];
  if (!kind) return usageFor(name, w.args[0] ? `Say what kind of thing to ${name}: author, keyword or topic` : undefined);
  let values = w.args.slice(1);
  if (name === 'unmute') return values.length ? { name, kind, value: values.join(' ') } : usageFor(name, `Say which ${kind}`);
  // A trailing "7", "7d" or "7 days" is the duration, when something is left to mute.
  let days: number | undefined;
  const last = values.at(-1)?.toLowerCase();
  const unit = last === 'days' || last === 'day' ? values.at(-2) : undefined;
  const num = /^(\d{1,6})(d|days?)?$/i.exec(unit ?? last ?? '');
  const used = unit ? 2 : 1;
  if (num && values.length > used) {
    days = Number(num[1]);
    values = values.slice(0, -used);
  }
  if (!values.length) return usageFor(name, `Say which ${kind} to mute`);
  return { name, kind, value: values.join(' '), ...(days !== undefined ? { days } : {}) };
}

function parseSeed(w: Words): Parsed {
  const op = sub(w.args[0]);
  if (op === 'remove' || op === 'add') {
    const paper = after(w.args, 1);
    return paper ? { name: 'seed', op, paper } : usageFor('seed', 'Say which paper');
  }
  return w.rest ? { name: 'seed', op: 'add', paper: w.rest } : usageFor('seed', 'Say which paper (an arXiv id)');
}

function parseLibrary(op: string | undefined, rest: string): Command | Reply {
  if (op?.toLowerCase() !== 'import') return usageFor('library', op ? `\`library ${op.slice(0, 40)}\` is not a library command` : undefined);
  const text = rest.trim();
  return checked({ name: 'library', op: 'import', ...(text ? { text } : {}) }, 'library');
}

function parseDigest(w: Words, scope: Scope): Parsed {
  const usage = scope === 'channel' ? 'channel' : 'digest';
  const op = sub(w.args[0]) ?? 'status';
  const value = after(w.args, 1);
  switch (op) {
    case 'status':
    case 'on':
    case 'off':
      return w.args.length > 1 ? usageFor(usage, `\`digest ${op}\` takes nothing more`) : { name: 'digest', scope, op };
    case 'time':
    case 'at':
      return value ? { name: 'digest', scope, op: 'time', time: value } : usageFor(usage, 'Say the time, as HH:MM (24-hour)');
    case 'timezone':
      return value ? { name: 'digest', scope, op: 'timezone', timeZone: value } : usageFor(usage, 'Say the time zone, like Europe/Berlin');
    case 'daily':
      return w.args.length > 1 ? usageFor(usage, '`digest daily` takes nothing more') : { name: 'digest', scope, op: 'daily' };
    case 'weekly':
      return w.args.length === 2
        ? { name: 'digest', scope, op: 'weekly', day: weekdayWord(w.args[1]) as 'monday' }
        : usageFor(usage, 'Say the day, like `digest weekly monday`');
    default:
      return usageFor(usage, `\`digest ${op.slice(0, 40)}\` is not a digest command`);
  }
}
