import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  HelpRequested,
  helpText,
  OptionError,
  parseCommand,
  parsePositiveInteger,
  usageError,
} from './args.js';
import { UsageError } from './errors.js';
import { formatTable } from './output.js';

const spec = defineCommand({
  name: 'demo',
  usage: 'npm run demo [-- --json] [-f FILE] [--tail N] [--rate N]',
  summary: 'a command for the tests',
  flags: {
    json: { type: 'boolean', description: 'print JSON' },
    file: { type: 'string', short: 'f', value: 'FILE', description: 'read this file' },
    tail: { type: 'number', min: 1, max: 500, default: 100, description: 'lines to print' },
    rate: {
      type: 'string',
      value: 'N',
      description: 'a count',
      parse: (raw) => parsePositiveInteger('rate', raw, 9),
    },
  },
  positionals: { name: 'step', max: 1 },
});

/** The UsageError a parse throws. */
function refusal(parse: () => unknown): UsageError {
  try {
    parse();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommand', () => {
  it('reads the declared flags, with their short names, defaults and types', () => {
    const parsed = parseCommand(spec, ['step-2', '-f', 'a.sql', '--tail=5', '--rate', '3', '--json']);
    expect(parsed.values).toEqual({ json: true, file: 'a.sql', tail: 5, rate: 3 });
    expect(parsed.positionals).toEqual(['step-2']);
    expect(parseCommand(spec, []).values).toEqual({ json: false, file: undefined, tail: 100, rate: undefined });
    // The values have the flags' types: a boolean, a string, a number.
    const { json, file, tail } = parseCommand(spec, []).values;
    expect([typeof json, typeof file, typeof tail]).toEqual(['boolean', 'undefined', 'number']);
  });

  it.each([
    [['--fast'], "Unknown option '--fast'"],
    [['--file'], "Option '-f, --file <value>' argument missing"],
    [['--json=yes'], "Option '--json' does not take an argument"],
    [['--tail', '0'], '--tail 0 is not a whole number from 1 to 500'],
    [['--tail', '2.5'], '--tail 2.5 is not a whole number from 1 to 500'],
    [['--rate', '10'], '--rate 10 is not a whole number from 1 to 9'],
    [['step-1', 'step-2'], 'demo takes one step at most. Usage'],
  ])('refuses %j, naming what is wrong, with the usage after it (exit 2)', (args, message) => {
    const error = refusal(() => parseCommand(spec, args));
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/\. Usage: npm run demo \[-- --json\]/);
    expect(error.exitCode).toBe(2);
  });

  it('refuses a positional to a command that takes none', () => {
    const none = defineCommand({ name: 'plain', usage: 'npm run plain', summary: 's' });
    expect(refusal(() => parseCommand(none, ['extra'])).message).toBe(
      'unexpected argument "extra". Usage: npm run plain',
    );
  });

  it('gives the usage on a line of its own for a command that asks for it', () => {
    const long = defineCommand({ ...spec, usageAsHint: true });
    const error = refusal(() => parseCommand(long, ['--tail', 'x']));
    expect(error.message).toBe('--tail x is not a whole number from 1 to 500');
    expect(error.hint).toBe(`usage: ${spec.usage}`);
  });

  it('turns an OptionError of the interpretation into a refusal with the usage', () => {
    const error = refusal(() =>
      parseCommand(spec, ['--json'], ({ values }) => {
        if (values.json) throw new OptionError('--json does not go with this');
      }),
    );
    expect(error.message).toBe(`--json does not go with this. Usage: ${spec.usage}`);
  });

  it('answers --help and -h wherever a flag can stand, before reading anything else', () => {
    for (const args of [['--help'], ['-h'], ['--tail', 'nonsense', '-h'], ['--fast', '--help']]) {
      const asked = (() => {
        try {
          parseCommand(spec, args);
        } catch (error) {
          return error;
        }
      })();
      expect(asked, args.join(' ')).toBeInstanceOf(HelpRequested);
      expect((asked as HelpRequested).text).toBe(helpText(spec));
    }
    // As the value of a flag, -h is that value.
    expect(parseCommand(spec, ['--file=-h']).values.file).toBe('-h');
    expect(refusal(() => parseCommand(spec, ['--file', '-h'])).message).toContain(
      "Option '--file' argument is ambiguous",
    );
  });

  it('prints the usage line, the summary and each flag in the help', () => {
    expect(helpText(spec)).toBe(
      [
        'usage: npm run demo [-- --json] [-f FILE] [--tail N] [--rate N]',
        'a command for the tests',
        '',
        '      --json       print JSON',
        '  -f, --file FILE  read this file',
        '      --tail N     lines to print (default: 100)',
        '      --rate N     a count',
        '  -h, --help       print this help',
        '',
      ].join('\n'),
    );
  });
});

describe('usageError', () => {
  it('adds the usage, and a note after it, to the problem', () => {
    expect(usageError(spec, 'which step?', { usageNote: '; the steps: step-1' }).message).toBe(
      `which step? Usage: ${spec.usage}; the steps: step-1`,
    );
    expect(usageError(spec, 'one step.', { hint: 'for example step-1' })).toMatchObject({
      message: `one step. Usage: ${spec.usage}`,
      hint: 'for example step-1',
    });
  });
});

// core/output.ts has no test file of its own yet; the help above is its first user.
describe('formatTable', () => {
  it('pads each column to its widest cell, with a header and a rule, and no space at the end of a line', () => {
    expect(
      formatTable(
        [
          ['kafka', 'running', ''],
          ['kafka-connect', 'exited', 'x'],
        ],
        { header: ['service', 'state', 'h'], rule: true },
      ),
    ).toBe(
      [
        'service        state    h',
        '-------------  -------  -',
        'kafka          running',
        'kafka-connect  exited   x',
      ].join('\n'),
    );
  });

  it('takes another separator and rule, says when there is nothing, and ignores colours in widths', () => {
    expect(formatTable([['a', 'bb']], { header: ['x', 'y'], separator: ' | ', rule: '-+-' })).toBe(
      'x | y\n--+---\na | bb',
    );
    expect(formatTable([], { header: ['x'], empty: '(none)' })).toBe('(none)');
    expect(
      formatTable([
        ['\u001b[32mok\u001b[39m', 'a'],
        ['fail', 'b'],
      ]),
    ).toBe('\u001b[32mok\u001b[39m    a\nfail  b');
  });

  it('puts the rest of a row under its column when a cell is wider than maxWidth', () => {
    expect(
      formatTable(
        [
          ['short', 'one'],
          ['a much longer cell', 'two'],
        ],
        { indent: '  ', maxWidth: 8 },
      ),
    ).toBe(['  short  one', '  a much longer cell', '         two'].join('\n'));
  });
});

describe('text words (ksqlDB statements)', () => {
  const spec = defineCommand({
    name: 'sql',
    usage: 'npm run sql -- "<statement>;" | -f <file.sql> [--timeout SECONDS]',
    summary: 'runs statements',
    flags: {
      file: { type: 'string', short: 'f', description: 'a file' },
      timeout: { type: 'number', min: 1, max: 3600, description: 'a timeout' },
    },
    positionals: { name: 'statement', text: true },
  });

  it('takes a statement that begins with a -- comment as a statement, wherever it stands among the flags', () => {
    const statement = "-- The rating events as a stream\nCREATE STREAM RATINGS WITH (KAFKA_TOPIC = 'ratings');";
    expect(parseCommand(spec, [statement]).positionals).toEqual([statement]);
    const both = parseCommand(spec, ['--timeout', '5', statement, '-- a second\nSELECT 1;']);
    expect(both.values.timeout).toBe(5);
    expect(both.positionals).toEqual([statement, '-- a second\nSELECT 1;']);
    expect(parseCommand(spec, ['-f', 'file.sql']).values.file).toBe('file.sql');
  });

  it('still refuses a word that is only a flag it does not know', () => {
    expect(() => parseCommand(spec, ['--nope'])).toThrow(/Unknown option '--nope'/);
  });
});
