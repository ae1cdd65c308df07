// The help and usage table: one entry per command family, the forms it accepts and what it does.
import type { CommandName } from './command.ts';
import { usageReply, okReply } from './replies.ts';
import type { Reply } from './reply.ts';

export interface Usage {
  /** The accepted forms, as typed after `/papers`. */
  forms: string[];
  summary: string;
}

export const USAGE: Record<CommandName, Usage> = {
  today: { forms: ['today'], summary: 'your picks now (papers since your last digest)' },
  similar: { forms: ['similar <arXiv id | URL | title | text>'], summary: 'papers like a paper or a description' },
  search: { forms: ['search <text>'], summary: 'search titles and abstracts' },
  ask: { forms: ['ask <question>'], summary: 'an answer from the stored papers, citing them (needs a language model)' },
  why: { forms: ['why <arXiv id | title>'], summary: 'why a paper would (or would not) be picked for you' },
  feedback: {
    forms: ['up <arXiv id | title>', 'down <arXiv id | title>', 'not for me <arXiv id | title>'],
    summary: 'the card buttons, typed: up shows more like it, down fewer, "not for me" hides it for good',
  },
  topics: {
    forms: ['topics add <text>', 'topics list', 'topics remove <number | text>'],
    summary: 'free-text topics your picks are scored against',
  },
  keywords: {
    forms: ['keywords add <word>', 'keywords add -<word>', 'keywords add +<word>', 'keywords remove <word>', 'keywords list'],
    summary: "words matched in titles and abstracts: 'word' boosts, '-word' excludes, '+word' requires",
  },
  follow: { forms: ['follow <author>'], summary: "boost an author's papers" },
  unfollow: { forms: ['unfollow <author>'], summary: 'stop following an author' },
  mute: {
    forms: ['mute author <name> [days]', 'mute keyword <word> [days]', 'mute topic <text> [days]'],
    summary: 'never pick papers by an author, with a word, or on a topic for a while (default 30 days)',
  },
  unmute: { forms: ['unmute author|keyword|topic <value>'], summary: 'end a mute early' },
  seed: { forms: ['seed <arXiv id>', 'seed remove <arXiv id>'], summary: '"more like this paper": a paper that anchors your feed' },
  digest: {
    forms: ['digest', 'digest on', 'digest off', 'digest time HH:MM', 'digest timezone <Area/City>', 'digest weekly <day>', 'digest daily'],
    summary: "your digest by direct message, daily or weekly (the week's best), at your time in your time zone",
  },
  profile: { forms: ['profile'], summary: 'what drives your feed' },
  'forget-me': { forms: ['forget-me'], summary: 'delete everything stored about you' },
  library: {
    forms: ['library import (with a .bib, CSL JSON or RIS file attached)', 'library import <arXiv ids, DOIs or links>'],
    summary: 'start from your reference library: stored papers become seeds and likes, the others shape your picks by their text',
  },
  save: { forms: ['save <arXiv id | URL | title>'], summary: 'keep a paper on your reading list (the 🔖 button); it counts as a strong like' },
  unsave: { forms: ['unsave <arXiv id | title | number>'], summary: 'take a paper off your reading list' },
  saved: { forms: ['saved', 'saved --export bibtex|jsonl|csl'], summary: 'your reading list, newest first, or exported for a reference manager' },
  history: { forms: ['history [days]'], summary: 'what you (in a channel: the channel) were sent, per day, with your reactions (default 7 days, at most 90)' },
  help: { forms: ['help', 'help <command>'], summary: 'this list' },
};

/** `channel ...` forms: the same families, for the channel (changes need a channel admin). */
export const CHANNEL_USAGE: Usage = {
  forms: [
    'channel topics add <text>',
    'channel topics list',
    'channel topics remove <number | text>',
    'channel keywords add|remove <word>',
    'channel keywords list',
    'channel digest',
    'channel digest time HH:MM',
    'channel digest timezone <Area/City>',
    'channel digest weekly <day>',
    'channel digest daily',
    'channel digest off',
  ],
  summary: "the channel's own feed and digest (changes: channel admins only)",
};

const code = (s: string): string => `\`${s}\``;

function usageOf(u: Usage): string {
  return u.forms.map(code).join(', ');
}

/** The short usage reply for a malformed command: what went wrong and the right form. */
export function usageFor(name: CommandName | 'channel', problem?: string): Reply {
  const u = name === 'channel' ? CHANNEL_USAGE : USAGE[name];
  const lead = problem ? `${problem}. ` : '';
  return usageReply(`${lead}Usage: ${usageOf(u)}`);
}

/** Usage for text that names no command at all. */
export function unknownCommand(word: string): Reply {
  const known = Object.keys(USAGE).join(', ');
  return usageReply(`Unknown command ${code(word.slice(0, 40))}. Commands: ${known}, channel. Try ${code('help')}.`);
}

/** `help` (everything) or `help <command>`. */
export function helpReply(topic?: string): Reply {
  const t = topic?.trim().toLowerCase();
  if (t) {
    if (t === 'channel') return okReply(`${CHANNEL_USAGE.summary}\n${usageOf(CHANNEL_USAGE)}`, 'private');
    const u = (USAGE as Record<string, Usage | undefined>)[t];
    if (!u) return unknownCommand(t);
    return okReply(`${u.summary}\n${usageOf(u)}`, 'private');
  }
  const lines = ['**paperfeed commands**'];
  for (const u of Object.values(USAGE)) lines.push(`${u.forms.map(code).join(' · ')} — ${u.summary}`);
  lines.push(`${code('channel topics|keywords|digest ...')} — ${CHANNEL_USAGE.summary}`);
  return okReply(lines.join('\n'), 'private');
}
