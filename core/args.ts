/**
 * The data generator's command-line values: each parser takes the text after the flag and returns the value, or
 * throws an OptionError that says what was wrong and what would be right.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CustomerIds } from '#datagen/rating.js';
import { UsageError } from './errors.js';

/** A value the person typed is not acceptable; the command adds its usage line. */
export class OptionError extends Error {}

export const maxRate = 1_000_000;

/** Records per second: a positive number, or `max` (no limit) when `allowMax`. */
export function parseRate(raw: string, { allowMax }: { allowMax: boolean }): number | 'max' {
  if (allowMax && raw === 'max') return 'max';
  const rate = Number(raw);
  const expected = `a number of records per second above 0 and up to ${maxRate}${allowMax ? ', or max for no limit' : ''}`;
  if (raw.trim() === '' || !Number.isFinite(rate))
    throw new OptionError(`--rate ${raw} is not a number; give ${expected}`);
  if (rate <= 0) {
    throw new OptionError(`--rate ${raw} is not above 0; give ${expected}`);
  }
  if (rate > maxRate) throw new OptionError(`--rate ${raw} is above ${maxRate}; give ${expected}`);
  return rate;
}

/** A whole number from 1 up to `max`. */
export function parsePositiveInteger(flag: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new OptionError(`--${flag} ${raw} is not a whole number from 1 to ${max}`);
  }
  return value;
}

/** A seed for faker: a whole number from 0 to 4294967295 (faker's generator takes 32 bits). */
export function parseSeed(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 2 ** 32 - 1) {
    throw new OptionError(`--seed ${raw} is not a whole number from 0 to ${2 ** 32 - 1}`);
  }
  return value;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration like 90s, 5m, 1.5h or 500ms; a bare number is seconds. Returns milliseconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  const amount = Number(match?.[1]);
  const ms = match ? Math.round(amount * (durationUnits[match[2] ?? 's'] ?? 1_000)) : Number.NaN;
  if (!match || !(ms > 0)) {
    throw new OptionError(`--duration ${raw} is not a duration above zero; write it like 30s, 5m, 1h or 500ms`);
  }
  return ms;
}

/** Kafka's rule for topic names: up to 249 letters, digits, '.', '_' and '-'. */
export function parseTopic(raw: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw) || raw === '.' || raw === '..') {
    throw new OptionError(
      `--topic ${JSON.stringify(raw)} is not a Kafka topic name; use up to 249 letters, digits, '.', '_' and '-'`,
    );
  }
  return raw;
}

/** Customer ids: `1-20`, `1..20`, or `20` for 1..20. */
export function parseCustomerIds(raw: string): CustomerIds {
  const match = /^(?:(\d+)(?:-|\.\.))?(\d+)$/.exec(raw.trim());
  const first = match ? Number(match[1] ?? 1) : Number.NaN;
  const last = match ? Number(match[2]) : Number.NaN;
  if (!match || first < 1 || last < first || last > 2 ** 31 - 1) {
    throw new OptionError(
      `--customers ${raw} is not a range of customer ids; write it like 1-20 (the seeded customers), 5-50, or 20 for 1-20`,
    );
  }
  return { first, last };
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new OptionError(`--${flag} ${raw} is not one of ${choices.join(', ')}`);
  }
  return raw as T;
}

/** Printed under the usage line by --help. */
export const optionsHelp = 'The options are described in the README, section "Data generator".';

/**
 * Whether the command line asks for the usage: --help or -h where an option can stand (not as the value of another
 * option, as in --topic -h). Checked before the options are parsed, so a request for help is never refused.
 */
export function asksForHelp(args: string[], options: NonNullable<ParseArgsConfig['options']>): boolean {
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.some((token) => token.kind === 'option' && token.name === 'help');
}

/**
 * Runs node's parseArgs (strict: unknown flags and missing values are refused), then `interpret`; any refusal becomes
 * a UsageError whose hint is the command's usage line.
 */
export function parseCommandLine<T>(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  interpret: (values: Record<string, string | boolean | undefined>) => T,
): T {
  const hint = `usage: ${usage}`;
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > 0) {
      throw new OptionError(`unexpected argument "${parsed.positionals[0]}"`);
    }
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\.$/, ''), hint);
  }
  try {
    return interpret(values);
  } catch (error) {
    if (error instanceof OptionError) throw new UsageError(error.message, hint);
    throw error;
  }
}
