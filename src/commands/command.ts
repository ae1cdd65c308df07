/**
 * The structured chat command: what the text parser (Slack, the CLI) and typed slash-command
 * options (Discord) both produce, and what `executeCommand` runs. The schema is the edge check for
 * commands built from platform options, so every field is bounded here.
 */
import { z } from 'zod';
import { PROFILE_LIMITS } from '../recommend/profile.ts';

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

// The command schemas are in each command's definition; registry.ts joins them into its catalog's `schema`.
export type { Command, CommandInput } from './registry.ts';
