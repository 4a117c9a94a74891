/**
 * `npm run datagen -- customers`: writes the seed file of demo.CUSTOMERS (docker/mysql/initdb/20-customers.sql).
 * `npm run datagen -- customers --changes`: keeps changing the customers in MySQL until stopped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  asksForHelp,
  OptionError,
  optionsHelp,
  parseCommandLine,
  parseDuration,
  parsePositiveInteger,
  parseRate,
  parseSeed,
} from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { progress, success } from '#core/output.js';
import { describeChange, describeEndpoint, startCustomerChanges } from './customer-changes.js';
import { customerSeedFile, customerSeedSql, defaultCustomerCount, defaultCustomerSeed } from './customers.js';

export const customersUsage =
  'npm run datagen -- customers [--count N] [--seed N] [--output FILE|-]  |  npm run datagen -- customers --changes [--rate N] [--count N | --duration 5m] [--seed N] [--quiet]';

/** One change a second: each can be watched arriving in the CDC topic and the ksqlDB table. */
export const defaultChangeRate = 1;

export type CustomersCommandOptions =
  | { mode: 'seed'; count: number; seed: number; output: string }
  | {
      mode: 'changes';
      rate: number;
      count?: number;
      durationMs?: number;
      seed?: number;
      quiet: boolean;
    };

const customersOptions = {
  changes: { type: 'boolean' },
  rate: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  output: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

export function parseCustomersArgs(args: string[]): CustomersCommandOptions {
  return parseCommandLine(args, customersOptions, customersUsage, (values) => {
    const text = (name: string) => values[name] as string | undefined;
    const count = text('count') === undefined ? undefined : parsePositiveInteger('count', text('count') as string);
    const seed = text('seed') === undefined ? undefined : parseSeed(text('seed') as string);
    if (values.changes !== true) {
      for (const flag of ['rate', 'duration', 'quiet'] as const) {
        if (values[flag] !== undefined) throw new OptionError(`--${flag} only applies with --changes`);
      }
      if (text('output') === '') throw new OptionError('--output needs a file name, or - for standard output');
      return {
        mode: 'seed',
        count: count ?? defaultCustomerCount,
        seed: seed ?? defaultCustomerSeed,
        output: text('output') ?? customerSeedFile,
      };
    }
    if (text('output') !== undefined) throw new OptionError('--output only applies without --changes');
    if (count !== undefined && text('duration') !== undefined) {
      throw new OptionError('give --count or --duration, not both');
    }
    return {
      mode: 'changes',
      rate:
        text('rate') === undefined
          ? defaultChangeRate
          : (parseRate(text('rate') as string, { allowMax: false }) as number),
      count,
      durationMs: text('duration') === undefined ? undefined : parseDuration(text('duration') as string),
      seed,
      quiet: values.quiet === true,
    };
  });
}

export async function customersCommand(args: string[]): Promise<number> {
  if (asksForHelp(args, customersOptions)) {
    process.stdout.write(`usage: ${customersUsage}\n${optionsHelp}\n`);
    return ExitCode.ok;
  }
  const options = parseCustomersArgs(args);
  if (options.mode === 'seed') {
    const sql = customerSeedSql(options.count, options.seed);
    if (options.output === '-') {
      process.stdout.write(sql);
    } else {
      mkdirSync(path.dirname(options.output), { recursive: true });
      writeFileSync(options.output, sql);
      success(
        `wrote ${options.count} customers (seed ${options.seed}) to ${path.relative(process.cwd(), options.output) || options.output}`,
      );
    }
    return ExitCode.ok;
  }

  const { mysql } = loadConfig();
  if (!options.quiet) {
    progress(
      `changing customers in ${describeEndpoint(mysql)}/${mysql.database} at ${options.rate}/s until ${options.count !== undefined ? `${options.count} changes` : options.durationMs !== undefined ? `${options.durationMs / 1000} s` : 'stopped (Ctrl-C)'}`,
    );
  }
  const run = startCustomerChanges({
    database: mysql,
    rate: options.rate,
    count: options.count,
    durationMs: options.durationMs,
    seed: options.seed,
    onChange: (change) => {
      if (!options.quiet) process.stdout.write(`${describeChange(change)}\n`);
    },
  });
  const onSignal = () => run.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await run.done;
    process.stdout.write(
      `made ${summary.updates + summary.inserts} changes: ${summary.updates} updates, ${summary.inserts} new customers\n`,
    );
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
