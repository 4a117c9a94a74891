/**
 * The catch-up soak: what a learner does to catch up, again and again on the local stack with its real ksqlDB,
 * right after one another (no pause): `reset` then `solve step-10` then `check step-10`, and `reset` then
 * `solve step-7`. Every run must end in a pass (goal: 0 failures of N); prints the failures with their first lines
 * and the median time of each part. It proves that neither ksqlDB's passing states (Kafka Streams rebalancing,
 * topics still being deleted) nor a one-minute window still open make solve fail or guess.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { progress } from '#core/output.js';
import { startLocalStack, workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { stopKitProcesses } from '#workshop/dev/testing/kit-processes.js';
import { type CliRun, runCli } from '#workshop/dev/testing/run-cli.js';
import { median } from '#workshop/dev/testing/stats.js';
import { printTable } from './stack-bench.js';

interface Part {
  label: string;
  args: string[];
  times: number[];
  failures: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const firstLines = (run: CliRun) =>
  `exit ${run.code}: ${`${run.stderr}\n${run.stdout}`.trim().split('\n').slice(0, 3).join(' | ').slice(0, 300)}`;

export async function benchCatchUp(runs: number): Promise<void> {
  progress('catch-up soak: starting the local stack');
  const stack = await startLocalStack();
  const state = mkdtempSync(path.join(os.tmpdir(), 'catch-up-bench-'));
  try {
    if (!('url' in stack.endpoints.ksqldb)) {
      progress(`catch-up soak: left out, it needs the real ksqlDB (${stack.endpoints.ksqldb.absent})`);
      return;
    }
    const env = { ...workshopEnv(stack.endpoints), WORKSHOP_STATE_DIR: state };
    const cycles: { name: string; parts: Part[] }[] = [
      {
        name: 'reset → solve step-10 → check step-10',
        parts: [
          { label: 'reset', args: ['reset'], times: [], failures: [] },
          { label: 'solve step-10', args: ['solve', 'step-10'], times: [], failures: [] },
          { label: 'check step-10', args: ['check', 'step-10'], times: [], failures: [] },
        ],
      },
      {
        name: 'reset → solve step-7',
        parts: [
          { label: 'reset', args: ['reset'], times: [], failures: [] },
          { label: 'solve step-7', args: ['solve', 'step-7'], times: [], failures: [] },
        ],
      },
    ];
    const failedCycles = new Map<string, number>();
    for (const cycle of cycles) {
      for (let run = 1; run <= runs; run++) {
        progress(`catch-up soak: ${cycle.name}, run ${run} of ${runs}`);
        for (const part of cycle.parts) {
          const result = await runCli(part.args, env, 10 * 60_000);
          part.times.push(result.elapsedMs);
          if (result.code !== 0) {
            part.failures.push(`run ${run}: ${firstLines(result)}`);
            failedCycles.set(cycle.name, (failedCycles.get(cycle.name) ?? 0) + 1);
            break;
          }
        }
      }
    }
    printTable(
      `Catching up, ${runs} times in a row each (goal: 0 failed)`,
      ['cycle', 'part', 'runs', 'failed', 'median', 'max'],
      cycles.flatMap((cycle) =>
        cycle.parts.map((part) => [
          cycle.name,
          part.label,
          String(part.times.length),
          String(part.failures.length),
          seconds(median(part.times)),
          seconds(Math.max(...part.times)),
        ]),
      ),
    );
    for (const cycle of cycles) {
      process.stdout.write(`${cycle.name}: ${runs - (failedCycles.get(cycle.name) ?? 0)} of ${runs} passed\n`);
      for (const part of cycle.parts)
        for (const failure of part.failures) process.stdout.write(`  ${part.label} ${failure}\n`);
    }
  } finally {
    await runCli(['reset'], { ...workshopEnv(stack.endpoints), WORKSHOP_STATE_DIR: state }, 5 * 60_000).catch(
      () => undefined,
    );
    stopKitProcesses(state);
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
