/**
 * `npm run bench`: the kit's figures. Each benchmark prints a table; targets are judged by ratios or bounds the
 * benchmark names, never by a timed test.
 *
 *   npm run bench                  every benchmark
 *   npm run bench -- --warm-only   the local stack from a warm cache only (no download)
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { benchLocalStack } from './stack-bench.js';

export async function benchCommand(args: string[]): Promise<number> {
  let values: { 'warm-only'?: boolean; runs?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { 'warm-only': { type: 'boolean' }, runs: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: npm run bench [-- --warm-only] [-- --runs N]`);
  }
  const runs = values.runs === undefined ? 2 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) {
    throw new UsageError(`--runs ${values.runs} is not a whole number from 1 to 10`);
  }
  await benchLocalStack({ cold: !values['warm-only'], warmRuns: runs });
  return 0;
}
