import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '#core/errors.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { startCustomerChanges } from './customer-changes.js';
import { customerSeedFile, seededCustomerIds } from './customers.js';
import { parseCustomersArgs } from './customers-command.js';
import { parseRatingsArgs } from './ratings-command.js';
import { startRatings } from './ratings-producer.js';

function cli(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'workshop/cli.ts', 'datagen', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The UsageError a parse throws: its message and its hint (the usage line). */
function refusal(parse: () => unknown): { message: string; hint: string | undefined } {
  try {
    parse();
  } catch (error) {
    if (error instanceof UsageError) return { message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('datagen ratings options', () => {
  it('default to a watchable few ratings per second, to topic ratings, as JSON, for the seeded customers', () => {
    expect(parseRatingsArgs([])).toEqual({
      rate: 3,
      count: undefined,
      durationMs: undefined,
      startId: undefined,
      seed: undefined,
      topic: 'ratings',
      customers: seededCustomerIds,
      format: 'json',
      producers: undefined,
      quiet: false,
      json: false,
    });
  });

  it('read every option', () => {
    expect(
      parseRatingsArgs([
        '--rate=max',
        '--count',
        '1000',
        '--start-id',
        '5001',
        '--seed',
        '42',
        '--topic',
        'ratings.test_1',
        '--customers',
        '5..50',
        '--format',
        'avro',
        '--producers',
        '2',
        '--quiet',
        '--json',
      ]),
    ).toEqual({
      rate: 'max',
      count: 1000,
      durationMs: undefined,
      startId: 5001,
      seed: 42,
      topic: 'ratings.test_1',
      customers: { first: 5, last: 50 },
      format: 'avro',
      producers: 2,
      quiet: true,
      json: true,
    });
    expect(parseRatingsArgs(['--rate', '0.5', '--duration', '90s', '--customers', '20']).durationMs).toBe(90_000);
    expect(parseRatingsArgs(['--duration', '1.5h']).durationMs).toBe(5_400_000);
    expect(parseRatingsArgs(['--duration', '250ms']).durationMs).toBe(250);
    expect(parseRatingsArgs(['--duration', '2m']).durationMs).toBe(120_000);
    expect(parseRatingsArgs(['--customers', '20']).customers).toEqual({ first: 1, last: 20 });
  });

  it.each([
    [
      ['--rate=-3'],
      '--rate -3 is not above 0; give a number of records per second above 0 and up to 1000000, or max for no limit',
    ],
    [['--rate', '0'], '--rate 0 is not above 0'],
    [['--rate', 'fast'], '--rate fast is not a number'],
    [['--rate', '2000000'], '--rate 2000000 is above 1000000'],
    [['--rate', '-3'], "Option '--rate' argument is ambiguous"],
    [['--count', '0'], '--count 0 is not a whole number from 1 to'],
    [['--count', '2.5'], '--count 2.5 is not a whole number'],
    [['--count', '10', '--duration', '5s'], 'give --count or --duration, not both'],
    [['--duration', 'soon'], '--duration soon is not a duration above zero; write it like 30s, 5m, 1h or 500ms'],
    [['--duration', '0s'], '--duration 0s is not a duration above zero'],
    [['--start-id', '0'], '--start-id 0 is not a whole number from 1 to 9007199254740991'],
    [['--start-id', 'next'], '--start-id next is not a whole number'],
    [['--start-id', '1e3'], '--start-id 1e3 is not a whole number'],
    [['--start-id=-5'], '--start-id -5 is not a whole number'],
    [
      ['--start-id', '9007199254740990', '--count', '3'],
      '--start-id 9007199254740990 with --count 3 goes past 9007199254740991, the highest rating_id',
    ],
    [['--seed', 'abc'], '--seed abc is not a whole number from 0 to 4294967295'],
    [['--seed', '4294967296'], '--seed 4294967296 is not a whole number'],
    [['--topic', 'my ratings'], '--topic "my ratings" is not a Kafka topic name'],
    [['--topic', '..'], '--topic ".." is not a Kafka topic name'],
    [['--customers', '20-1'], '--customers 20-1 is not a range of customer ids; write it like 1-20'],
    [['--customers', '0-5'], '--customers 0-5 is not a range of customer ids'],
    [['--customers', 'all'], '--customers all is not a range'],
    [['--format', 'xml'], '--format xml is not one of json, avro'],
    [['--producers', '2'], '--producers only applies at full speed (--rate max)'],
    [['--rate', 'max', '--producers', '0'], '--producers 0 is not a whole number from 1 to 16'],
    [['--quiet=yes'], "Option '--quiet' does not take an argument"],
    [['--count'], "Option '--count <value>' argument missing"],
    [['--fast'], "Unknown option '--fast'"],
    [['extra'], 'unexpected argument "extra"'],
  ])('refuse %j with a message and the usage line', (args, message) => {
    const refused = refusal(() => parseRatingsArgs(args));
    expect(refused.message).toContain(message);
    expect(refused.hint).toMatch(/^usage: npm run datagen -- ratings \[--rate N\|max\]/);
  });
});

describe('datagen customers options', () => {
  it('write the seed file by default, or keep changing customers with --changes', () => {
    expect(parseCustomersArgs([])).toEqual({ mode: 'seed', count: 20, seed: 2020, output: customerSeedFile });
    expect(parseCustomersArgs(['--count', '50', '--seed', '7', '--output', '-'])).toEqual({
      mode: 'seed',
      count: 50,
      seed: 7,
      output: '-',
    });
    expect(parseCustomersArgs(['--changes'])).toEqual({
      mode: 'changes',
      rate: 1,
      count: undefined,
      durationMs: undefined,
      seed: undefined,
      quiet: false,
    });
    expect(parseCustomersArgs(['--changes', '--rate', '5', '--duration', '1m', '--seed', '3', '--quiet'])).toEqual({
      mode: 'changes',
      rate: 5,
      count: undefined,
      durationMs: 60_000,
      seed: 3,
      quiet: true,
    });
  });

  it.each([
    [['--rate', '2'], '--rate only applies with --changes'],
    [['--duration', '1m'], '--duration only applies with --changes'],
    [['--quiet'], '--quiet only applies with --changes'],
    [['--output='], '--output needs a file name, or - for standard output'],
    [['--changes', '--output', 'x.sql'], '--output only applies without --changes'],
    [['--changes', '--rate', 'max'], '--rate max is not a number'],
    [['--changes', '--rate=-1'], '--rate -1 is not above 0'],
    [['--changes', '--count', '3', '--duration', '1m'], 'give --count or --duration, not both'],
    [['--changes', '--duration', '-'], '--duration - is not a duration'],
    [['--count', 'many'], '--count many is not a whole number'],
    [['--seed', '-1'], "Option '--seed' argument is ambiguous"],
    [['--seed=-1'], '--seed -1 is not a whole number'],
    [['--changes=1'], "Option '--changes' does not take an argument"],
    [['--table', 'X'], "Unknown option '--table'"],
  ])('refuse %j with a message and the usage line', (args, message) => {
    const refused = refusal(() => parseCustomersArgs(args));
    expect(refused.message).toContain(message);
    expect(refused.hint).toMatch(/^usage: npm run datagen -- customers/);
  });
});

describe('npm run datagen', () => {
  it('refuses bad input with exit 2, the message and the usage line, and no stack trace', () => {
    for (const args of [
      ['ratings', '--rate=-1'],
      ['ratings', '--format', 'xml'],
      ['ratings', '--start-id', '0'],
      ['customers', '--changes', '--rate', '0'],
      ['rating'],
    ]) {
      const { code, stderr } = cli(...args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
      expect(stderr).toMatch(/^Error: /m);
      expect(stderr).toMatch(/^→ usage: npm run datagen -- /m);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect(cli().stderr).toContain('Error: say which data to generate: ratings, customers or syslog');
  }, 60_000);

  it('--help and -h print the usage and exit 0, for both generators and whatever else is on the line', () => {
    for (const [args, usage] of [
      [['ratings', '--help'], 'usage: npm run datagen -- ratings [--rate N|max]'],
      [['ratings', '--rate', 'fast', '-h'], 'usage: npm run datagen -- ratings [--rate N|max]'],
      [['customers', '-h'], 'usage: npm run datagen -- customers [--count N]'],
      [['customers', '--changes', '--help'], 'usage: npm run datagen -- customers [--count N]'],
    ] as const) {
      const { code, stdout, stderr } = cli(...args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(0);
      expect(stdout.startsWith(usage), stdout).toBe(true);
      expect(stdout).toContain('README');
      expect(stderr).not.toContain('Error');
    }
    // As the value of an option, -h is that value: refused as a topic name, not taken for a request for help.
    expect(cli('ratings', '--topic', '-h').stderr).toContain("Error: Option '--topic' argument is ambiguous");
  }, 60_000);

  it('prints the customers’ seed SQL, the same as the file in the repository', () => {
    const { code, stdout } = cli('customers', '--output', '-');
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(customerSeedFile, 'utf8'));
  }, 30_000);
});

describe('an unreachable server', () => {
  it('is an environment problem for ratings: named, with what to do, exit code 3', async () => {
    const port = await freePort();
    const run = startRatings({
      bootstrapServers: [`127.0.0.1:${port}`],
      topic: 'ratings',
      rate: 3,
      customers: seededCustomerIds,
      format: 'json',
      schemaRegistryUrl: 'http://127.0.0.1:1',
      startupTimeoutMs: 1_500,
    });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toMatch(
      new RegExp(`^Kafka at 127\\.0\\.0\\.1:${port} did not answer within 2 s \\(.*ECONNREFUSED.*\\)$`),
    );
    expect((error as EnvironmentError).hint).toContain('npm run up');
    expect((error as EnvironmentError).exitCode).toBe(3);
  });

  it('is an environment problem for customer changes too', async () => {
    const port = await freePort();
    const run = startCustomerChanges({
      database: { host: '127.0.0.1', port, user: 'workshop', password: 'workshop', database: 'demo' },
      rate: 1,
      startupTimeoutMs: 1_500,
    });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      `MySQL at 127.0.0.1:${port} did not accept a connection within 2 s (ECONNREFUSED)`,
    );
    expect((error as EnvironmentError).hint).toContain('WORKSHOP_MYSQL_HOST');
  });
});
