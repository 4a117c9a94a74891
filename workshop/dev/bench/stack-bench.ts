/**
 * Local stack start-up: time from start to all-ready with a cold cache (an empty Maven repository and cache folder,
 * so everything is downloaded and unpacked) and with a warm one, and each server's peak memory.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable, progress } from '#core/output.js';
import { type StartTimings, startLocalStack } from '#workshop/dev/stack/local-stack.js';
import { peakMemoryMiB } from '#workshop/dev/stack/memory.js';
import { median } from '#workshop/dev/testing/stats.js';

interface Run {
  label: string;
  timings: StartTimings;
  memory: Record<string, number | undefined>;
}

async function measure(label: string, options: { mavenRepo?: string; cacheDir?: string }): Promise<Run> {
  progress(`local stack: ${label} start`);
  // With Flink: its three servers' start and memory beside ksqlDB's.
  const stack = await startLocalStack({ ...options, with: ['flink'] });
  const memory: Record<string, number | undefined> = {};
  for (const server of stack.processes()) {
    memory[server.name] = server.pid === undefined ? undefined : peakMemoryMiB(server.pid);
  }
  await stack.stop();
  return { label, timings: stack.timings, memory };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export async function benchLocalStack(options: { cold: boolean; warmRuns: number }): Promise<Run[]> {
  const runs: Run[] = [];
  if (options.cold) {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'workshop-bench-cold-'));
    // Elasticsearch may run as another user (see defaultCacheDir) and must reach the cache inside.
    chmodSync(scratch, 0o755);
    try {
      runs.push(
        await measure('cold cache', { mavenRepo: path.join(scratch, 'm2'), cacheDir: path.join(scratch, 'cache') }),
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  // A first warm-up makes sure the default cache is complete, so the warm runs below download nothing.
  if (!options.cold) await measure('warm-up', {});
  // The kit's JVM settings against the JVM's own (WORKSHOP_STACK_JVM_OPTS empty), alternating on the same machine.
  const before: Run[] = [];
  for (let i = 1; i <= options.warmRuns; i++) {
    runs.push(await measure(`warm cache #${i}`, {}));
    const saved = process.env.WORKSHOP_STACK_JVM_OPTS;
    process.env.WORKSHOP_STACK_JVM_OPTS = '';
    try {
      before.push(await measure(`warm #${i}, full JIT (before)`, {}));
    } finally {
      if (saved === undefined) delete process.env.WORKSHOP_STACK_JVM_OPTS;
      else process.env.WORKSHOP_STACK_JVM_OPTS = saved;
    }
  }
  runs.push(...before);

  const rows = runs.map((run) => [
    run.label,
    seconds(run.timings.artifactsMs),
    seconds(run.timings.kafkaMs),
    seconds(run.timings.connectMs),
    seconds(run.timings.mariadbMs),
    seconds(run.timings.elasticsearchMs),
    seconds(run.timings.ksqldbMs),
    seconds(run.timings.flinkMs),
    seconds(run.timings.totalMs),
  ]);
  const warm = runs.filter((run) => run.label.startsWith('warm cache'));
  if (warm.length > 0 && before.length > 0) {
    const now = median(warm.map((run) => run.timings.totalMs));
    const then = median(before.map((run) => run.timings.totalMs));
    const connectNow = median(warm.map((run) => run.timings.connectMs - run.timings.kafkaMs));
    const connectThen = median(before.map((run) => run.timings.connectMs - run.timings.kafkaMs));
    process.stdout.write(
      `\nWarm start, all ready: ${seconds(now)} with the kit's JVM options vs ${seconds(then)} without (${(now / then).toFixed(2)}); ` +
        `Connect ready after Kafka: ${seconds(connectNow)} vs ${seconds(connectThen)}; load ${os.loadavg()[0]?.toFixed(1)}\n`,
    );
  }
  printTable(
    'Local stack: time from start to ready (each server counted from the start of the whole stack)',
    ['run', 'jars', 'Kafka', 'Connect', 'MariaDB', 'Elasticsearch', 'ksqlDB', 'Flink (3 servers)', 'all ready'],
    rows,
  );
  const names = Object.keys(runs[0]?.memory ?? {});
  printTable(
    'Local stack: peak resident memory of each server (MiB, whole process group, right after start)',
    ['run', ...names, 'total'],
    runs.map((run) => [
      run.label,
      ...names.map((name) => String(run.memory[name] ?? '—')),
      String(Object.values(run.memory).reduce<number>((sum, mib) => sum + (mib ?? 0), 0)),
    ]),
  );
  return runs;
}

/** A benchmark's table: an empty line, its title, then the table. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  process.stdout.write(`\n${title}\n${formatTable(rows, { header, rule: true })}\n`);
}
