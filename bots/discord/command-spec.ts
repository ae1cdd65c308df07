/**
 * The `/papers` slash command, one table for both directions: what is registered with Discord
 * (subcommands, typed options, limits, choices) and how a chat-input interaction's typed options
 * become a `Command` for the core. Discord allows two levels (group → subcommand), so the
 * three-word channel forms are flattened: `channel topics add` is `/papers channel topics-add`.
 */
import { ApplicationCommandOptionType, type APIApplicationCommandBasicOption } from 'discord.js';
import { COMMAND_LIMITS, type CommandInput, type CommandName } from '../../src/commands/index.ts';
import { WEEKDAYS, type Weekday } from '../../src/digests/clock.ts';
import { REFERENCE_FORMATS, type ReferenceFormat } from '../../src/papers/reference-export.ts';
import { PROFILE_LIMITS } from '../../src/recommend/profile.ts';

/** Reads the typed options of the invoked subcommand (adapter over discord.js's option resolver). */
export interface OptionReader {
  string(name: string): string | undefined;
  integer(name: string): number | undefined;
  number(name: string): number | undefined;
}

/** A required option that is absent or of the wrong type: the payload is malformed. */
export class MalformedOption extends Error {
  constructor(readonly option: string, problem = 'is missing') {
    super(`option '${option}' ${problem}`);
    this.name = 'MalformedOption';
  }
}

export interface SubcommandSpec {
  /** Subcommand group, when the subcommand sits in one. */
  group?: string;
  name: string;
  description: string;
  options: APIApplicationCommandBasicOption[];
  /** Which usage text a malformed form gets. */
  usage: CommandName | 'channel';
  /** Personal reply (ephemeral) or one the channel may see. */
  visibility: 'private' | 'channel';
  build(o: OptionReader): CommandInput;
}

export const GROUP_DESCRIPTIONS: Record<string, string> = {
  topics: 'Free-text topics your picks are scored against',
  keywords: 'Words that boost, require or exclude papers',
  seed: 'Seed papers that anchor your feed',
  digest: 'Your digest by direct message, daily or weekly',
  channel: "This channel's feed and daily digest (changes: Manage Server or Manage Channels)",
  library: 'Your reference library as seeds and likes',
};

const STRING = ApplicationCommandOptionType.String;
const INTEGER = ApplicationCommandOptionType.Integer;
const NUMBER = ApplicationCommandOptionType.Number;

const text = (name: string, description: string, max: number, extra: { autocomplete?: boolean; required?: boolean } = {}): APIApplicationCommandBasicOption => ({
  type: STRING,
  name,
  description,
  required: extra.required ?? true,
  max_length: max,
  ...(extra.autocomplete ? { autocomplete: true } : {}),
});

const need = (o: OptionReader, name: string): string => {
  const v = o.string(name);
  if (v === undefined) throw new MalformedOption(name);
  return v;
};

const optional = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

const weightOption: APIApplicationCommandBasicOption = {
  type: NUMBER,
  name: 'weight',
  description: `How much it counts, ${PROFILE_LIMITS.minWeight} to ${PROFILE_LIMITS.maxWeight} (default 1)`,
  required: false,
  min_value: PROFILE_LIMITS.minWeight,
  max_value: PROFILE_LIMITS.maxWeight,
};

const KEYWORD_MODES = { boost: '', require: '+', exclude: '-' } as const;
const modeOption: APIApplicationCommandBasicOption = {
  type: STRING,
  name: 'mode',
  description: 'boost (default), require (only papers with it), or exclude (never papers with it)',
  required: false,
  choices: Object.keys(KEYWORD_MODES).map((m) => ({ name: m, value: m })),
};

/** The core's phrase syntax: '+word' requires, '-word' excludes. */
function keywordPhrase(o: OptionReader): string {
  const word = need(o, 'word');
  const mode = o.string('mode');
  if (mode === undefined) return word;
  if (!(mode in KEYWORD_MODES)) throw new MalformedOption('mode', `must be one of ${Object.keys(KEYWORD_MODES).join(', ')}`);
  return `${KEYWORD_MODES[mode as keyof typeof KEYWORD_MODES]}${word.replace(/^[+-]/, '')}`;
}

const timeOption = text('time', 'Local time, HH:MM 24-hour (e.g. 08:30)', 5);
const zoneOption = text('zone', 'IANA time zone, e.g. Europe/Berlin', COMMAND_LIMITS.timeZone, { autocomplete: true });
const MUTE_KINDS = ['author', 'keyword', 'topic'] as const;
const kindOption: APIApplicationCommandBasicOption = {
  type: STRING,
  name: 'kind',
  description: 'What to mute: an author, a keyword or a topic',
  required: true,
  choices: MUTE_KINDS.map((k) => ({ name: k, value: k })),
};

function muteKind(o: OptionReader): (typeof MUTE_KINDS)[number] {
  const k = need(o, 'kind');
  if (!(MUTE_KINDS as readonly string[]).includes(k)) throw new MalformedOption('kind', `must be one of ${MUTE_KINDS.join(', ')}`);
  return k as (typeof MUTE_KINDS)[number];
}

const HELP_TOPICS = ['today', 'similar', 'search', 'ask', 'why', 'feedback', 'topics', 'keywords', 'follow', 'unfollow', 'mute', 'unmute', 'seed', 'digest', 'profile', 'forget-me', 'save', 'unsave', 'saved', 'history', 'library', 'channel'];

const dayOption: APIApplicationCommandBasicOption = {
  type: STRING,
  name: 'day',
  description: 'The local day the weekly digest goes out',
  required: true,
  choices: WEEKDAYS.map((d) => ({ name: d, value: d })),
};

function weekday(o: OptionReader): Weekday {
  const d = need(o, 'day');
  if (!(WEEKDAYS as readonly string[]).includes(d)) throw new MalformedOption('day', `must be one of ${WEEKDAYS.join(', ')}`);
  return d as Weekday;
}

/** The reading list and history (issue 16). */
const READING_SPECS: SubcommandSpec[] = [
  {
    name: 'save',
    description: 'Save a paper to your reading list (a strong like)',
    options: [text('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
    usage: 'save',
    visibility: 'private',
    build: (o) => ({ name: 'save', paper: need(o, 'paper') }),
  },
  {
    name: 'unsave',
    description: 'Take a paper off your reading list',
    options: [text('paper', 'An arXiv id, title, or its number in saved', COMMAND_LIMITS.paperRef)],
    usage: 'unsave',
    visibility: 'private',
    build: (o) => ({ name: 'unsave', paper: need(o, 'paper') }),
  },
  {
    name: 'saved',
    description: 'Your reading list, newest first, or exported',
    options: [
      { type: STRING, name: 'export', description: 'Export as BibTeX, JSON Lines or CSL JSON (Zotero)', required: false, choices: REFERENCE_FORMATS.map((f) => ({ name: f, value: f })) },
    ],
    usage: 'saved',
    visibility: 'private',
    build: (o) => ({ name: 'saved', ...optional('export', o.string('export') as ReferenceFormat | undefined) }),
  },
  {
    name: 'history',
    description: 'What you (in a channel: the channel) were sent, per day, with your reactions',
    options: [{ type: INTEGER, name: 'days', description: `How many days back (default ${COMMAND_LIMITS.historyDays})`, required: false, min_value: 1, max_value: COMMAND_LIMITS.maxHistoryDays }],
    usage: 'history',
    visibility: 'private',
    build: (o) => ({ name: 'history', ...optional('days', o.integer('days')) }),
  },
];

/** Topics, keywords and digest commands for the user's own feed or the channel's. */
function familySpecs(scope: 'user' | 'channel'): SubcommandSpec[] {
  const channel = scope === 'channel';
  const at = (family: string, op: string) => (channel ? { group: 'channel', name: `${family}-${op}` } : { group: family, name: op });
  const whose = channel ? "this channel's" : 'your';
  const usage = (name: CommandName): CommandName | 'channel' => (channel ? 'channel' : name);
  return [
    {
      ...at('topics', 'add'),
      description: `Add a topic to ${whose} feed, in a few words`,
      options: [text('text', 'The topic, e.g. "diffusion models for inverse problems"', COMMAND_LIMITS.topic), weightOption],
      usage: usage('topics'),
      visibility: 'private',
      build: (o) => ({ name: 'topics', scope, op: 'add', text: need(o, 'text'), ...optional('weight', o.number('weight')) }),
    },
    {
      ...at('topics', 'list'),
      description: `List ${whose} topics`,
      options: [],
      usage: usage('topics'),
      visibility: 'private',
      build: () => ({ name: 'topics', scope, op: 'list' }),
    },
    {
      ...at('topics', 'remove'),
      description: `Remove one of ${whose} topics`,
      options: [text('topic', 'The topic (its number or text)', COMMAND_LIMITS.topic, { autocomplete: true })],
      usage: usage('topics'),
      visibility: 'private',
      build: (o) => ({ name: 'topics', scope, op: 'remove', ref: need(o, 'topic') }),
    },
    {
      ...at('keywords', 'add'),
      description: `Add a keyword to ${whose} feed`,
      // The mode becomes the core's '+'/'-' prefix, so the word itself gets one character less.
      options: [text('word', 'A word or short phrase', COMMAND_LIMITS.keyword - 1), modeOption],
      usage: usage('keywords'),
      visibility: 'private',
      build: (o) => ({ name: 'keywords', scope, op: 'add', phrase: keywordPhrase(o) }),
    },
    {
      ...at('keywords', 'list'),
      description: `List ${whose} keywords`,
      options: [],
      usage: usage('keywords'),
      visibility: 'private',
      build: () => ({ name: 'keywords', scope, op: 'list' }),
    },
    {
      ...at('keywords', 'remove'),
      description: `Remove one of ${whose} keywords`,
      options: [text('word', 'The keyword to remove', COMMAND_LIMITS.keyword)],
      usage: usage('keywords'),
      visibility: 'private',
      build: (o) => ({ name: 'keywords', scope, op: 'remove', phrase: need(o, 'word') }),
    },
    {
      ...(channel ? { group: 'channel', name: 'digest' } : { group: 'digest', name: 'status' }),
      description: `When ${whose} daily digest goes out`,
      options: [],
      usage: usage('digest'),
      visibility: 'private',
      build: () => ({ name: 'digest', scope, op: 'status' }),
    },
    {
      ...at('digest', 'on'),
      description: `Turn ${whose} daily digest on`,
      options: [],
      usage: usage('digest'),
      visibility: 'private',
      build: () => ({ name: 'digest', scope, op: 'on' }),
    },
    {
      ...at('digest', 'off'),
      description: `Turn ${whose} daily digest off`,
      options: [],
      usage: usage('digest'),
      visibility: 'private',
      build: () => ({ name: 'digest', scope, op: 'off' }),
    },
    {
      ...at('digest', 'time'),
      description: `Set the local time of ${whose} daily digest (turns it on)`,
      options: [timeOption],
      usage: usage('digest'),
      visibility: 'private',
      build: (o) => ({ name: 'digest', scope, op: 'time', time: need(o, 'time') }),
    },
    {
      ...at('digest', 'timezone'),
      description: `Set the time zone of ${whose} daily digest`,
      options: [zoneOption],
      usage: usage('digest'),
      visibility: 'private',
      build: (o) => ({ name: 'digest', scope, op: 'timezone', timeZone: need(o, 'zone') }),
    },
    {
      ...at('digest', 'weekly'),
      description: `Make ${whose} digest weekly, the week's best on one day (turns it on)`,
      options: [dayOption],
      usage: usage('digest'),
      visibility: 'private',
      build: (o) => ({ name: 'digest', scope, op: 'weekly', day: weekday(o) }),
    },
    {
      ...at('digest', 'daily'),
      description: `Make ${whose} digest daily again (turns it on)`,
      options: [],
      usage: usage('digest'),
      visibility: 'private',
      build: () => ({ name: 'digest', scope, op: 'daily' }),
    },
  ];
}

/** `/papers up|down|not-for-me paper:…`: the card buttons, typed (named like the buttons). */
function feedbackSpecs(): SubcommandSpec[] {
  const forms = [
    ['up', 'up', 'Thumbs up: more papers like this one'],
    ['down', 'down', 'Thumbs down: fewer papers like this one'],
    ['not-for-me', 'not-interested', 'Not for me: never this paper again, similar ones a little lower'],
  ] as const;
  return forms.map(([name, kind, description]) => ({
    name,
    description,
    options: [text('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
    usage: 'feedback',
    visibility: 'private',
    build: (o) => ({ name: 'feedback', kind, paper: need(o, 'paper') }),
  }));
}

export const SUBCOMMANDS: readonly SubcommandSpec[] = [
  {
    name: 'today',
    description: 'Your picks now (papers since your last digest)',
    options: [],
    usage: 'today',
    visibility: 'private',
    build: () => ({ name: 'today' }),
  },
  {
    name: 'similar',
    description: 'Papers like a paper (arXiv id, link, title) or a description',
    options: [text('query', 'An arXiv id, a link, a title or a few sentences', COMMAND_LIMITS.query)],
    usage: 'similar',
    visibility: 'channel',
    build: (o) => ({ name: 'similar', query: need(o, 'query') }),
  },
  {
    name: 'search',
    description: 'Search titles and abstracts',
    options: [text('query', 'What to search for', COMMAND_LIMITS.query)],
    usage: 'search',
    visibility: 'channel',
    build: (o) => ({ name: 'search', query: need(o, 'query') }),
  },
  {
    name: 'ask',
    description: 'An answer from the stored papers, citing them (needs a language model)',
    options: [text('question', 'Your question, e.g. "how can diffusion models sample faster?"', COMMAND_LIMITS.question)],
    usage: 'ask',
    // The question and the hourly limit it counts against are the asker's.
    visibility: 'private',
    build: (o) => ({ name: 'ask', question: need(o, 'question') }),
  },
  {
    name: 'why',
    description: 'Why a paper would (or would not) be picked for you',
    options: [text('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
    usage: 'why',
    visibility: 'private',
    build: (o) => ({ name: 'why', paper: need(o, 'paper') }),
  },
  ...feedbackSpecs(),
  ...familySpecs('user'),
  {
    name: 'follow',
    description: "Boost an author's papers",
    options: [text('author', 'The author, as written on papers', COMMAND_LIMITS.author)],
    usage: 'follow',
    visibility: 'private',
    build: (o) => ({ name: 'follow', author: need(o, 'author') }),
  },
  {
    name: 'unfollow',
    description: 'Stop following an author',
    options: [text('author', 'The author', COMMAND_LIMITS.author)],
    usage: 'unfollow',
    visibility: 'private',
    build: (o) => ({ name: 'unfollow', author: need(o, 'author') }),
  },
  {
    name: 'mute',
    description: 'Never pick papers by an author, with a word, or on a topic for a while',
    options: [
      kindOption,
      text('value', 'The author, keyword or topic', COMMAND_LIMITS.topic),
      { type: INTEGER, name: 'days', description: 'For how many days (default 30)', required: false, min_value: 1, max_value: COMMAND_LIMITS.maxMuteDays },
    ],
    usage: 'mute',
    visibility: 'private',
    build: (o) => ({ name: 'mute', kind: muteKind(o), value: need(o, 'value'), ...optional('days', o.integer('days')) }),
  },
  {
    name: 'unmute',
    description: 'End a mute early',
    options: [kindOption, text('value', 'The author, keyword or topic', COMMAND_LIMITS.topic)],
    usage: 'unmute',
    visibility: 'private',
    build: (o) => ({ name: 'unmute', kind: muteKind(o), value: need(o, 'value') }),
  },
  {
    group: 'seed',
    name: 'add',
    description: 'Anchor your feed on a paper: papers like it rank high',
    options: [text('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
    usage: 'seed',
    visibility: 'private',
    build: (o) => ({ name: 'seed', op: 'add', paper: need(o, 'paper') }),
  },
  {
    group: 'seed',
    name: 'remove',
    description: 'Remove a seed paper',
    options: [text('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
    usage: 'seed',
    visibility: 'private',
    build: (o) => ({ name: 'seed', op: 'remove', paper: need(o, 'paper') }),
  },
  {
    name: 'profile',
    description: 'What drives your feed',
    options: [],
    usage: 'profile',
    visibility: 'private',
    build: () => ({ name: 'profile' }),
  },
  {
    name: 'forget-me',
    description: 'Delete everything paperfeed stored about you',
    options: [],
    usage: 'forget-me',
    visibility: 'private',
    build: () => ({ name: 'forget-me' }),
  },
  {
    group: 'library',
    name: 'import',
    description: 'Import a BibTeX, CSL JSON or RIS file, or a list of arXiv ids and DOIs',
    options: [
      { type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'Your library export (at most 5 MB)', required: false },
      text('list', 'arXiv ids, DOIs or links, separated by spaces', 4_000, { required: false }),
    ],
    usage: 'library',
    visibility: 'private',
    // The file is read from the interaction's resolved attachments (interactions.ts), not from here.
    build: (o) => ({ name: 'library', op: 'import', ...optional('text', o.string('list')) }),
  },
  ...READING_SPECS,
  ...familySpecs('channel'),
  {
    name: 'help',
    description: 'What paperfeed can do',
    options: [
      { type: STRING, name: 'command', description: 'Help on one command', required: false, choices: HELP_TOPICS.map((t) => ({ name: t, value: t })) },
    ],
    usage: 'help',
    visibility: 'private',
    build: (o) => ({ name: 'help', ...optional('topic', o.string('command')) }),
  },
];

/** The spec of an invoked subcommand, by group and name. */
export function findSpec(group: string | null | undefined, name: string): SubcommandSpec | undefined {
  return SUBCOMMANDS.find((s) => (s.group ?? null) === (group ?? null) && s.name === name);
}
