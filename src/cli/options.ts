import { InvalidArgumentError } from 'commander';
import { countParser, isoDateParser } from '../commands/cli-form.ts';

/** A parser that throws an Error as commander's: the Error becomes a usage error (exit 2) naming the value. */
export function commanderParser<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** Commander parser for a whole number within bounds. */
export const parseCount = (min: number, max: number) => commanderParser(countParser(min, max));

/** Commander parser for YYYY-MM-DD dates (rejects impossible dates like 2024-02-31). */
export const parseDate = commanderParser(isoDateParser);
