/**
 * The kit's one command-line parser. Each command declares its usage, flags and positionals once, in a CommandSpec
 * (workshop/commands.ts lists them all); parseCommand reads a command line by that declaration. A mistake is a
 * UsageError (exit 2) that names the flag and gives the command's usage; --help or -h prints the usage, the summary and
 * each flag's description (HelpRequested, which the CLI prints and exits 0 on).
 *
 * The values' parsers below take the text after a flag and return the value, or throw an OptionError that says what
 * was wrong and what would be right.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { formatTable } from './output.js';

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
export function parseCustomerIds(raw: string): { first: number; last: number } {
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

/** Printed by the data generator's --help under its flags. */
export const optionsHelp = 'The options are described in the README, section "Data generator".';

/** --duration, as the data generator's commands take it: milliseconds. */
export const durationFlag = {
  type: 'string',
  value: 'DURATION',
  description: 'stop after this long: 30s, 5m, 1h or 500ms',
  parse: parseDuration,
} as const;

/** --seed, for faker: the same seed makes the same data again. */
export const seedFlag = {
  type: 'string',
  value: 'N',
  description: 'make the same data again',
  parse: parseSeed,
} as const;

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new OptionError(`--${flag} ${raw} is not one of ${choices.join(', ')}`);
  }
  return raw as T;
}

interface FlagBase {
  /** What the flag does, for --help. */
  description: string;
  /** One letter: `-f` for --file. */
  short?: string;
}

export interface BooleanFlag extends FlagBase {
  type: 'boolean';
}

export interface StringFlag extends FlagBase {
  type: 'string';
  /** The value's name in --help: `--file <file.sql>`. */
  value?: string;
  /** The value when the flag is not given (after `parse`, of its type). */
  default?: unknown;
  /** Reads the text after the flag: returns the value, or throws an OptionError saying what would be right. */
  parse?: (raw: string) => unknown;
}

/** A whole number from min to max. */
export interface NumberFlag extends FlagBase {
  type: 'number';
  value?: string;
  default?: number;
  min: number;
  max: number;
  /** What it counts, for the refusal: `--timeout 5 is not a whole number of seconds from 10 to 3600`. */
  unit?: string;
  /** What is right, for the refusal, when not "a whole number from min to max". */
  expected?: string;
}

export type FlagSpec = BooleanFlag | StringFlag | NumberFlag;
export type Flags = Record<string, FlagSpec>;

export interface CommandSpec<F extends Flags = Flags> {
  name: string;
  /** One line: `npm run <name> …`. The CLI's listing and --help print it. */
  usage: string;
  /** What the command does, in a line. */
  summary: string;
  flags?: F;
  /**
   * Words besides the flags, named for the refusals (`check takes one step at most`); without it the command takes
   * none. With `max`, no more than that many; the command checks anything else about them. With `text`, they are
   * text that may begin with a dash (ksqlDB statements begin with a `-- comment`): a word with a space, a line
   * break or a `;` in it is never taken for a flag.
   */
  positionals?: { name: string; max?: number; text?: boolean };
  /** Printed by --help after the flags. */
  notes?: string;
  /** Follows the usage in every refusal (`; the services: kafka, …`), where a command knows more to say. */
  usageNote?: string;
  /**
   * A refusal gives the usage on a line of its own (`→ usage: …`) rather than after the message (`… Usage: …`):
   * for a usage too long to follow a message on its line.
   */
  usageAsHint?: boolean;
}

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number
    : S extends { parse: (raw: string) => infer T }
      ? T
      : string;
type HasDefault<S> = S extends { type: 'boolean' }
  ? true
  : S extends { default: infer D }
    ? [D] extends [undefined]
      ? false
      : true
    : false;

/** The flags' values: a boolean is false unless given; another flag is undefined unless given or defaulted. */
export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]: HasDefault<F[K]> extends true ? ValueOf<F[K]> : ValueOf<F[K]> | undefined;
};

export interface UsageErrorOptions {
  /** What to do next, on a line of its own. */
  hint?: string;
  /** Follows the usage, as `; the services: …` does. */
  usageNote?: string;
}

/** A command line as parseCommand read it: what a command's module is given to run on. */
export interface CommandLine<V> {
  values: V;
  positionals: string[];
  /** The command's usage line. */
  usage: string;
  /** A refusal of this command line: the problem and the command's usage, in the command's way. */
  usageError: (problem: string, options?: UsageErrorOptions) => UsageError;
}

export type ParsedCommand<F extends Flags> = CommandLine<FlagValues<F>>;

/** Thrown by parseCommand on --help or -h; the CLI prints `text` and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('the usage was asked for (--help)');
    this.name = 'HelpRequested';
  }
}

/** A refusal of a command line: the problem, then the command's usage after it (or below it: usageAsHint). */
export function usageError(
  spec: Pick<CommandSpec, 'usage' | 'usageAsHint'>,
  problem: string,
  { hint, usageNote = '' }: UsageErrorOptions = {},
): UsageError {
  const message = problem.replace(/\.$/, '');
  const usage = `${spec.usage}${usageNote}`;
  if (spec.usageAsHint) return new UsageError(message, hint ?? `usage: ${usage}`);
  return new UsageError(`${message}${/[?!]$/.test(message) ? '' : '.'} Usage: ${usage}`, hint);
}

function flagLabel(name: string, flag: FlagSpec): string {
  const value = flag.type === 'boolean' ? '' : ` ${flag.value ?? (flag.type === 'number' ? 'N' : 'VALUE')}`;
  return `${flag.short ? `-${flag.short}, ` : '    '}--${name}${value}`;
}

/** What --help prints: the usage line, the summary, each flag with its description, and the notes. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags ?? {}).map(([name, flag]) => [
    flagLabel(name, flag),
    flag.type !== 'boolean' && flag.default !== undefined
      ? `${flag.description} (default: ${String(flag.default)})`
      : flag.description,
  ]);
  rows.push(['-h, --help', 'print this help']);
  const notes = spec.notes ? `\n${spec.notes}\n` : '';
  return `usage: ${spec.usage}\n${spec.summary}\n\n${formatTable(rows, { indent: '  ' })}\n${notes}`;
}

type NodeOptions = NonNullable<ParseArgsConfig['options']>;

/** Marks where a text word stood while parseArgs reads the flags (no one types it). */
const textMark = '\u2063text#';

/**
 * Whether the command line asks for the usage: --help or -h where a flag can stand (not as the value of another
 * flag, as in --topic -h). Asked before the flags are read, so a request for help is never refused.
 */
function asksForHelp(args: string[], options: NodeOptions): boolean {
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.some((token) => token.kind === 'option' && token.name === 'help');
}

function wholeNumber(name: string, raw: string, flag: NumberFlag): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < flag.min || value > flag.max) {
    const unit = flag.unit ? ` of ${flag.unit}` : '';
    throw new OptionError(
      `--${name} ${raw} is not ${flag.expected ?? `a whole number${unit} from ${flag.min} to ${flag.max}`}`,
    );
  }
  return value;
}

function readFlag(name: string, flag: FlagSpec, raw: string | boolean | undefined): unknown {
  if (flag.type === 'boolean') return raw === true;
  if (typeof raw !== 'string') return flag.default;
  if (flag.type === 'number') return wholeNumber(name, raw, flag);
  return flag.parse ? flag.parse(raw) : raw;
}

/**
 * Reads a command line by the command's spec: --help first, then the flags (unknown ones and missing values are
 * refused), the positionals, and each flag's value. With `interpret`, returns what it makes of them; an OptionError
 * it throws is refused like a flag's.
 */
export function parseCommand<const F extends Flags>(spec: CommandSpec<F>, args: string[]): ParsedCommand<F>;
export function parseCommand<const F extends Flags, T>(
  spec: CommandSpec<F>,
  args: string[],
  interpret: (parsed: ParsedCommand<F>) => T,
): T;
export function parseCommand<const F extends Flags, T>(
  spec: CommandSpec<F>,
  args: string[],
  interpret?: (parsed: ParsedCommand<F>) => T,
): ParsedCommand<F> | T {
  const flags: Flags = spec.flags ?? {};
  const options: NodeOptions = Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [
      name,
      { type: flag.type === 'boolean' ? 'boolean' : 'string', ...(flag.short ? { short: flag.short } : {}) } as const,
    ]),
  );
  // Text that begins with a dash stands in the command line as a placeholder parseArgs takes for a word.
  const texts: string[] = [];
  if (spec.positionals?.text) {
    args = args.map((arg) => {
      if (!arg.startsWith('-') || !/[\s;]/.test(arg)) return arg;
      texts.push(arg);
      return `${textMark}${texts.length - 1}`;
    });
  }
  const restored = (word: string) =>
    word.startsWith(textMark) ? (texts[Number(word.slice(textMark.length))] ?? word) : word;
  if (asksForHelp(args, options)) throw new HelpRequested(helpText(spec as CommandSpec));
  const refuse = (problem: string, more?: UsageErrorOptions) =>
    usageError(spec, problem, { usageNote: spec.usageNote, ...more });
  const readOrRefuse = <R>(read: () => R): R => {
    try {
      return read();
    } catch (error) {
      if (error instanceof OptionError) throw refuse(error.message);
      throw error;
    }
  };

  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: Boolean(spec.positionals) }) as typeof parsed;
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const word = /argument '(.*)'\. This command/.exec((error as Error).message)?.[1] ?? '';
      throw refuse(`unexpected argument "${word}"`);
    }
    if (code.startsWith('ERR_PARSE_ARGS')) throw refuse((error as Error).message);
    throw error;
  }
  const positionals = parsed.positionals.map(restored);
  const allowed = spec.positionals;
  if (!allowed && positionals.length > 0) throw refuse(`unexpected argument "${positionals[0]}"`);
  if (allowed?.max !== undefined && positionals.length > allowed.max) {
    const most = allowed.max === 1 ? 'one' : String(allowed.max);
    throw refuse(`${spec.name} takes ${most} ${allowed.name} at most`);
  }
  const values = readOrRefuse(() =>
    Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, readFlag(name, flag, parsed.values[name])])),
  ) as FlagValues<F>;
  const result: ParsedCommand<F> = { values, positionals, usage: spec.usage, usageError: refuse };
  return interpret ? readOrRefuse(() => interpret(result)) : result;
}

/** A spec as written, its flags' types kept for parseCommand's values. */
export function defineCommand<const F extends Flags>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}
