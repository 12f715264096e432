import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a whole-number option. Commander prefixes the message with the
 * option and the value given, so it only says what would pass.
 */
export function wholeNumberOption(min = 0): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    }
    return parsed;
  };
}
