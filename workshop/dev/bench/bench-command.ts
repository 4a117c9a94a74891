/**
 * `npm run bench`: the kit's figures. Each benchmark prints a table; targets are judged by ratios or bounds the
 * benchmark names, never by a timed test.
 *
 *   npm run bench                          every benchmark
 *   npm run bench -- --only stack,check    some of them
 *   npm run bench -- --only compose        the platform's memory limits, from docker-compose.yml (no Docker needed)
 *   npm run bench -- --warm-only           the local stack from a warm cache only (no download)
 *   npm run bench -- --only datagen        the data generator's throughput against Kafka's own producer perf test
 *   npm run bench -- --runs N              repetitions where a benchmark repeats (default: each one's own)
 *   npm run bench -- --records N           records per run of the datagen benchmark (default 500000)
 *   npm run bench -- --only notify         the notifications app: events/s and rating → notification latency
 *   npm run bench -- --only site           the site's build time, size and largest page
 *   npm run bench -- --only connect        Kafka Connect's start: plugin.discovery service_load against only_scan
 *   npm run bench -- --only cli            the CLI's start, built and from source, against node -e 0 and npm
 *   npm run bench -- --only room           the instructor's room: reports/s, check → page latency, cost to a check
 *   npm run bench -- --only catch-up       reset → solve → check, N times in a row on the real ksqlDB (not in the default set: ~20 min)
 */
import type { CommandLine } from '#core/args.js';
import { benchCatchUp } from './catch-up-bench.js';
import { benchCheck } from './check-bench.js';
import { benchCli } from './cli-bench.js';
import { benchComposeMemory } from './compose-bench.js';
import { benchConnect } from './connect-bench.js';
import { benchDatagen } from './datagen-bench.js';
import { benchNotify } from './notify-bench.js';
import { benchRoom } from './room-bench.js';
import { benchSite } from './site-bench.js';
import { benchLocalStack } from './stack-bench.js';

interface BenchOptions {
  warmOnly: boolean;
  runs: number | undefined;
  records: number | undefined;
}

/** Every benchmark, by the name --only takes, in the order `npm run bench` runs them. */
const benchmarks: Record<string, (options: BenchOptions) => Promise<void>> = {
  compose: async () => {
    benchComposeMemory();
  },
  stack: async ({ warmOnly, runs }) => {
    await benchLocalStack({ cold: !warmOnly, warmRuns: Math.min(runs ?? 2, 10) });
  },
  check: ({ runs }) => benchCheck(runs ?? 20),
  connect: ({ runs }) => benchConnect(Math.min(runs ?? 3, 10)),
  cli: ({ runs }) => benchCli(runs ?? 20),
  datagen: async ({ runs, records }) => {
    await benchDatagen({ records: records ?? 500_000, rounds: Math.min(runs ?? 2, 10) });
  },
  site: () => benchSite(),
  room: ({ runs }) => benchRoom(Math.min(runs ?? 10, 50)),
  notify: async ({ records }) => {
    await benchNotify({ events: Math.min(records ?? 3_000, 100_000) });
  },
  'catch-up': ({ runs }) => benchCatchUp(Math.min(runs ?? 10, 50)),
};

/** Run only when named: the catch-up soak takes about twenty minutes. */
const onlyWhenNamed = new Set(['catch-up']);

export async function benchCommand({
  values,
  usageError,
}: CommandLine<{ only?: string; 'warm-only': boolean; runs?: number; records?: number }>): Promise<number> {
  const { runs, records } = values;
  const names = values.only
    ? values.only.split(',').map((n) => n.trim())
    : Object.keys(benchmarks).filter((name) => !onlyWhenNamed.has(name));
  const unknown = names.filter((name) => !Object.hasOwn(benchmarks, name));
  if (unknown.length > 0) {
    throw usageError(
      `unknown benchmark ${unknown.join(', ')}; the benchmarks are: ${Object.keys(benchmarks).join(', ')}`,
    );
  }
  for (const name of names) await benchmarks[name]?.({ warmOnly: values['warm-only'], runs, records });
  return 0;
}
