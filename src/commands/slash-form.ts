/**
 * How a command appears as a slash subcommand with typed options (Discord's `/papers`), in the
 * command's own definition but free of any platform library: bots/discord/command-spec.ts turns
 * these into Discord's JSON and reads the invoked options back through `build`.
 */
import type { Scope } from './command.ts';

/** Reads the typed options of the invoked subcommand (the adapter wraps the platform's resolver). */
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

export interface SlashOption {
  type: 'string' | 'integer' | 'number' | 'attachment';
  name: string;
  description: string;
  /** Default: true. */
  required?: boolean;
  /** Longest string accepted. */
  maxLength?: number;
  min?: number;
  max?: number;
  /** Fixed choices, or choices made from every command's name in help order (`help <command>`). */
  choices?: Choices;
  /** The platform asks the bot for choices as the user types (bots/discord/autocomplete.ts). */
  autocomplete?: boolean;
}

export type Choices = readonly string[] | ((commandNames: readonly string[]) => readonly string[]);

export interface SlashForm<I> {
  /** The subcommand group, when it sits in one (Discord allows group → subcommand). */
  group?: string;
  name: string;
  /** Its name among the `channel ...` subcommands, when not `<group>-<name>`. */
  channelName?: string;
  description: string;
  options?: readonly SlashOption[];
  /** Personal reply (default) or one the channel may see. */
  visibility?: 'private' | 'channel';
  build(o: OptionReader): I;
}

export interface SlashForms<I> {
  /** Descriptions of the subcommand groups the forms sit in. */
  groups?: Readonly<Record<string, string>>;
  /** The forms; for a command with `channel ...` forms, per scope. */
  forms: readonly SlashForm<I>[] | ((scope: Scope) => readonly SlashForm<I>[]);
}

/** A required free-text option. */
export const textOption = (name: string, description: string, maxLength: number, extra: Partial<SlashOption> = {}): SlashOption => ({
  type: 'string',
  name,
  description,
  maxLength,
  ...extra,
});

/** A string option with choices. */
export const choiceOption = (name: string, description: string, choices: Choices, required = true): SlashOption => ({
  type: 'string',
  name,
  description,
  required,
  choices,
});

/** A required string option's value. */
export function need(o: OptionReader, name: string): string {
  const v = o.string(name);
  if (v === undefined) throw new MalformedOption(name);
  return v;
}

/** A string option that must be one of its choices. */
export function oneOf<T extends string>(o: OptionReader, name: string, choices: readonly T[]): T {
  const v = need(o, name);
  if (!(choices as readonly string[]).includes(v)) throw new MalformedOption(name, `must be one of ${choices.join(', ')}`);
  return v as T;
}

/** `{ key: v }` when the option was given, `{}` otherwise. */
export const optional = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

/** "your" or "this channel's", for descriptions of forms that exist for both. */
export const whoseFeed = (scope: Scope): string => (scope === 'channel' ? "this channel's" : 'your');
