/**
 * The structured chat command: what the text parser (Slack, the CLI) and typed slash-command
 * options (Discord) both produce, and what `executeCommand` runs. The schema is the edge check for
 * commands built from platform options, so every field is bounded here.
 */
import { z } from 'zod';
import { REFERENCE_FORMATS } from '../papers/reference-export.ts';
import { FEEDBACK_KINDS, PROFILE_LIMITS } from '../recommend/profile.ts';
import { WEEKDAYS } from '../digests/clock.ts';

export const COMMAND_LIMITS = {
  /** Longest command text accepted at all; longer input is refused, never cut silently. */
  input: 1_000,
  /** similar/search query text. */
  query: 500,
  /** An `ask` question: the longest the language-model prompt takes (src/llm PROMPT_LIMITS.question). */
  question: 500,
  topic: PROFILE_LIMITS.topicLength,
  /** A keyword with its optional '-' / '+' prefix. */
  keyword: PROFILE_LIMITS.keywordLength + 1,
  author: PROFILE_LIMITS.authorLength,
  /** An arXiv id, URL, paper id or exact title. */
  paperRef: 1_000,
  timeZone: 64,
  maxMuteDays: PROFILE_LIMITS.maxMuteDays,
  /** Results of similar/search and "more like this". */
  results: 5,
  /** `library import` with a pasted list of ids: longer than any other command (a file has its own limit). */
  pastedList: 20_000,
  /** `history [days]`: default and longest look back. */
  historyDays: 7,
  maxHistoryDays: 90,
} as const;

/** Default mute length when the user gives none. */
export const DEFAULT_MUTE_DAYS = 30;

/** Free text from a user: single spaces, no control characters, bounded. */
export const textArg = (what: string, max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(
      z
        .string()
        .min(1, `${what} is missing`)
        .max(max, `${what} is longer than ${max} characters`)
        .regex(/^[^\p{Cc}]*$/u, `${what} contains control characters`),
    );

/** 24-hour local time, HH:MM. */
export const timeArg = z
  .string()
  .trim()
  .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 24-hour (e.g. 08:30)')
  .transform((t) => t.padStart(5, '0'));

/** A time zone name; `executeCommand` checks it against Intl (the zod edge only bounds it). */
export const timeZoneArg = textArg('a time zone', COMMAND_LIMITS.timeZone);

/** Whose settings: the user's own, or the channel's (channel admins only for changes). */
export const scopeSchema = z.enum(['user', 'channel']);
export type Scope = z.infer<typeof scopeSchema>;

const op = <T extends string>(name: T) => z.literal(name);

const topicsSchema = z.discriminatedUnion('op', [
  z.object({ name: op('topics'), scope: scopeSchema, op: op('list') }),
  z.object({
    name: op('topics'),
    scope: scopeSchema,
    op: op('add'),
    text: textArg('a topic', COMMAND_LIMITS.topic),
    weight: z.number().min(PROFILE_LIMITS.minWeight).max(PROFILE_LIMITS.maxWeight).optional(),
  }),
  z.object({ name: op('topics'), scope: scopeSchema, op: op('remove'), ref: textArg('the topic to remove', COMMAND_LIMITS.topic) }),
]);

const keywordsSchema = z.discriminatedUnion('op', [
  z.object({ name: op('keywords'), scope: scopeSchema, op: op('list') }),
  z.object({ name: op('keywords'), scope: scopeSchema, op: op('add'), phrase: textArg('a keyword', COMMAND_LIMITS.keyword) }),
  z.object({ name: op('keywords'), scope: scopeSchema, op: op('remove'), phrase: textArg('a keyword', COMMAND_LIMITS.keyword) }),
]);

const digestSchema = z.discriminatedUnion('op', [
  z.object({ name: op('digest'), scope: scopeSchema, op: op('status') }),
  z.object({ name: op('digest'), scope: scopeSchema, op: z.enum(['on', 'off']) }),
  z.object({ name: op('digest'), scope: scopeSchema, op: op('time'), time: timeArg }),
  z.object({ name: op('digest'), scope: scopeSchema, op: op('timezone'), timeZone: timeZoneArg }),
  z.object({ name: op('digest'), scope: scopeSchema, op: op('daily') }),
  z.object({ name: op('digest'), scope: scopeSchema, op: op('weekly'), day: z.enum(WEEKDAYS, 'a day is monday, tuesday, ... or sunday') }),
]);

const muteKind = z.enum(['author', 'keyword', 'topic']);

const seedSchema = z.discriminatedUnion('op', [
  z.object({ name: op('seed'), op: op('add'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  z.object({ name: op('seed'), op: op('remove'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
]);

export const commandSchema = z.discriminatedUnion('name', [
  z.object({ name: op('help'), topic: z.string().max(40).optional() }),
  z.object({ name: op('today') }),
  z.object({ name: op('similar'), query: textArg('what to find papers like', COMMAND_LIMITS.query) }),
  z.object({ name: op('search'), query: textArg('what to search for', COMMAND_LIMITS.query) }),
  z.object({ name: op('ask'), question: textArg('a question', COMMAND_LIMITS.question) }),
  z.object({ name: op('why'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  /** `up <paper>`, `down <paper>`, `not for me <paper>`: the card buttons, typed. */
  z.object({ name: op('feedback'), kind: z.enum(FEEDBACK_KINDS), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  topicsSchema,
  keywordsSchema,
  z.object({ name: op('follow'), author: textArg('an author', COMMAND_LIMITS.author) }),
  z.object({ name: op('unfollow'), author: textArg('an author', COMMAND_LIMITS.author) }),
  z.object({
    name: op('mute'),
    kind: muteKind,
    value: textArg('what to mute', COMMAND_LIMITS.topic),
    days: z.number().int().min(1).max(COMMAND_LIMITS.maxMuteDays).default(DEFAULT_MUTE_DAYS),
  }),
  z.object({ name: op('unmute'), kind: muteKind, value: textArg('what to unmute', COMMAND_LIMITS.topic) }),
  seedSchema,
  digestSchema,
  z.object({ name: op('profile') }),
  z.object({ name: op('forget-me') }),
  /** The pasted list keeps its line breaks: parsers report entries by line. Attached files come in the context. */
  z.object({ name: op('library'), op: op('import'), text: z.string().max(COMMAND_LIMITS.pastedList, `a pasted list is at most ${COMMAND_LIMITS.pastedList} characters; attach a file instead`).optional() }),
  // The reading list and history (issue 16).
  z.object({ name: op('save'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  z.object({ name: op('unsave'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  z.object({ name: op('saved'), export: z.enum(REFERENCE_FORMATS, 'an export format is bibtex, jsonl or csl').optional() }),
  z.object({
    name: op('history'),
    days: z.number().int().min(1, 'history looks back at least 1 day').max(COMMAND_LIMITS.maxHistoryDays, `history looks back at most ${COMMAND_LIMITS.maxHistoryDays} days`).default(COMMAND_LIMITS.historyDays),
  }),
]);

/** A parsed, validated command. `scope: 'channel'` is the `channel ...` form. */
export type Command = z.output<typeof commandSchema>;
/** A command as an adapter may build it (defaults such as mute days may be left out). */
export type CommandInput = z.input<typeof commandSchema>;
export type CommandName = Command['name'];

