import { InvalidArgumentError } from 'commander';
import { isIsoDate } from '../papers/dates.ts';
import { countParser } from '../commands/cli-form.ts';

/** Commander parser for YYYY-MM-DD dates (rejects impossible dates like 2024-02-31). */
export function parseDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got '${value}'`);
  return value;
}

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
