import { InvalidArgumentError } from 'commander';
import { isIsoDate } from '../papers/dates.ts';

/** Commander parser for YYYY-MM-DD dates (rejects impossible dates like 2024-02-31). */
export function parseDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got '${value}'`);
  return value;
}

/** Commander parser for a whole number within bounds. */
export function parseCount(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}
