/**
 * `npm run datagen -- customers`: writes the seed file of demo.CUSTOMERS (docker/mysql/initdb/20-customers.sql).
 * `npm run datagen -- customers --changes`: keeps changing the customers in MySQL until stopped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  defineCommand,
  durationFlag,
  OptionError,
  optionsHelp,
  parseCommand,
  parseRate,
  seedFlag,
} from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { progress, success } from '#core/output.js';
import { describeChange, describeEndpoint, startCustomerChanges } from './customer-changes.js';
import { customerSeedFile, customerSeedSql, defaultCustomerCount, defaultCustomerSeed } from './customers.js';

/** One change a second: each can be watched arriving in the CDC topic and the ksqlDB table. */
export const defaultChangeRate = 1;

export const customersSpec = defineCommand({
  name: 'customers',
  usage:
    'npm run datagen -- customers [--count N] [--seed N] [--output FILE|-]  |  npm run datagen -- customers --changes [--rate N] [--count N | --duration 5m] [--seed N] [--quiet]',
  summary: 'write the seed file of demo.CUSTOMERS, or keep changing the customers in MySQL (--changes)',
  flags: {
    changes: { type: 'boolean', description: 'keep changing the customers in MySQL until stopped' },
    rate: {
      type: 'string',
      value: 'N',
      description: `with --changes: changes per second (default: ${defaultChangeRate})`,
      parse: (raw) => parseRate(raw, { allowMax: false }) as number,
    },
    count: {
      type: 'number',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      description: `customers to write (default: ${defaultCustomerCount}), or with --changes: changes to make`,
    },
    duration: { ...durationFlag, description: `with --changes: ${durationFlag.description}` },
    seed: seedFlag,
    output: { type: 'string', value: 'FILE|-', description: 'where to write the seed file; - for standard output' },
    quiet: { type: 'boolean', description: 'with --changes: print only the summary' },
  },
  notes: optionsHelp,
  usageAsHint: true,
});

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

export function parseCustomersArgs(args: string[]): CustomersCommandOptions {
  return parseCommand(customersSpec, args, ({ values }) => {
    const { count, seed, output } = values;
    if (!values.changes) {
      for (const flag of ['rate', 'duration', 'quiet'] as const) {
        if (values[flag]) throw new OptionError(`--${flag} only applies with --changes`);
      }
      if (output === '') throw new OptionError('--output needs a file name, or - for standard output');
      return {
        mode: 'seed',
        count: count ?? defaultCustomerCount,
        seed: seed ?? defaultCustomerSeed,
        output: output ?? customerSeedFile,
      };
    }
    if (output !== undefined) throw new OptionError('--output only applies without --changes');
    if (count !== undefined && values.duration !== undefined) {
      throw new OptionError('give --count or --duration, not both');
    }
    return {
      mode: 'changes',
      rate: values.rate ?? defaultChangeRate,
      count,
      durationMs: values.duration,
      seed,
      quiet: values.quiet,
    };
  });
}

export async function customersCommand(args: string[]): Promise<number> {
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
