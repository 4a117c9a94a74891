/**
 * Check latency on the local stack: for every step (1-3 without a ksqlDB install), and for the Flink SQL variants of steps
 * 4-7 and 12 on the stack's real Flink, the median and maximum over N runs of a passing
 * `npm run check step-N` (the whole command, process start included), and the time to an environment-error verdict
 * with Kafka Connect stopped and with every service down. Goals: a passing check under 2 s median, an environment
 * error under 5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCourse } from '#checks/course.js';
import { progress } from '#core/output.js';
import { NotYet, waitFor } from '#core/wait.js';
import { startLocalStack, workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { ksqldbStandIn } from '#workshop/dev/stack/standins.js';
import { everythingDownEnv, runCli } from '#workshop/dev/testing/run-cli.js';
import { median } from '#workshop/dev/testing/stats.js';
import { printTable } from './stack-bench.js';

async function timeRuns(label: string, args: string[], env: Record<string, string>, runs: number, expectCode: number) {
  const times: number[] = [];
  let wrong = 0;
  for (let i = 0; i < runs; i++) {
    const run = await runCli(args, env);
    times.push(run.elapsedMs);
    if (run.code !== expectCode) wrong++;
  }
  progress(`${label}: ${runs} runs`);
  return { label, times, wrong, expectCode };
}

export async function benchCheck(runs: number): Promise<void> {
  progress('check latency: starting the local stack (with its real ksqlDB where one is installed)');
  const stack = await startLocalStack({ with: ['flink'] });
  const realKsqlDb = 'url' in stack.endpoints.ksqldb;
  // Without ksqlDB, a stand-in answers step 1's question; steps 4-7 need the real one and are left out.
  const ksqldb = realKsqlDb ? undefined : await ksqldbStandIn();
  const state = mkdtempSync(path.join(os.tmpdir(), 'workshop-bench-state-'));
  const env = {
    ...workshopEnv(stack.endpoints),
    ...(ksqldb ? { WORKSHOP_KSQLDB_URL: ksqldb.url } : {}),
    WORKSHOP_STATE_DIR: state,
  };
  const lastStep = realKsqlDb ? loadCourse().length : 3;
  try {
    const solve = await runCli(['solve', `step-${lastStep}`], env, 5 * 60_000);
    if (solve.code !== 0 && solve.code !== 4)
      throw new Error(`solve step-${lastStep} failed:\n${solve.stdout}\n${solve.stderr}`);
    // Step 7 passes once a minute has closed, step 10 once a notification went out: wait, as a learner would.
    await waitFor({
      what: `check step-${lastStep} to pass`,
      timeoutMs: 4 * 60_000,
      intervalMs: 5_000,
      probe: async () => ((await runCli(['check', `step-${lastStep}`], env)).code === 0 ? true : new NotYet('not yet')),
    });
    const rows = [];
    for (let n = 1; n <= lastStep; n++) {
      rows.push(await timeRuns(`check step-${n} (passing)`, ['check', `step-${n}`], env, runs, 0));
    }
    const allDown = await everythingDownEnv();
    rows.push(await timeRuns('check (every service down)', ['check'], allDown, Math.min(runs, 5), 3));
    if (stack.servers.ksqldb) {
      await stack.servers.ksqldb.stop();
      rows.push(await timeRuns('check step-4 (ksqlDB stopped)', ['check', 'step-4'], env, Math.min(runs, 5), 3));
      await stack.servers.ksqldb.restart();
    }
    // The Flink SQL variants of steps 4-7 and 12, on the same stack: a clean start, solved on Flink, then timed.
    if (stack.flink) {
      const flinkEnv = { ...env, WORKSHOP_ENGINE: 'flink' };
      const clean = await runCli(['reset'], flinkEnv, 3 * 60_000);
      if (clean.code !== 0) throw new Error(`reset before the Flink steps failed:\n${clean.stdout}\n${clean.stderr}`);
      // Solved on Flink, then waited for until its check passes (a window may have to close first).
      const solvedUntilPassing = async (id: string) => {
        const solved = await runCli(['solve', id], flinkEnv, 5 * 60_000);
        if (solved.code !== 0 && solved.code !== 4)
          throw new Error(`solve ${id} on Flink failed:\n${solved.stdout}\n${solved.stderr}`);
        await waitFor({
          what: `check ${id} on Flink to pass`,
          timeoutMs: 4 * 60_000,
          intervalMs: 5_000,
          probe: async () => ((await runCli(['check', id], flinkEnv)).code === 0 ? true : new NotYet('not yet')),
        });
      };
      await solvedUntilPassing('step-7');
      for (let n = 4; n <= 7; n++) {
        rows.push(await timeRuns(`check step-${n} on Flink (passing)`, ['check', `step-${n}`], flinkEnv, runs, 0));
      }
      // The optional anomaly detection, on the same enriched ratings.
      await solvedUntilPassing('step-12');
      rows.push(await timeRuns('check step-12 on Flink (passing)', ['check', 'step-12'], flinkEnv, runs, 0));
      await runCli(['reset'], flinkEnv, 3 * 60_000);
    }
    // Back to a clean start while every service answers (reset needs Connect): it stops the background producer and
    // app that solve started, which would otherwise outlive the stack.
    const reset = await runCli(['reset'], env, 3 * 60_000);
    if (reset.code !== 0)
      progress(`reset after the benchmark exited ${reset.code}: ${reset.stderr.trim().slice(-300)}`);
    await stack.servers.connect.stop();
    rows.push(await timeRuns('check step-3 (Connect stopped)', ['check', 'step-3'], env, Math.min(runs, 5), 3));
    printTable(
      `Check latency: whole command, process start included (goal: passing under 1 s median; environment error under 5 s)${realKsqlDb ? '' : '; steps 4-7 left out: no ksqlDB installed'}`,
      ['command', 'runs', 'median', 'max', 'unexpected exit'],
      rows.map((row) => [
        row.label,
        String(row.times.length),
        `${(median(row.times) / 1000).toFixed(2)} s`,
        `${(Math.max(...row.times) / 1000).toFixed(2)} s`,
        row.wrong === 0 ? 'none' : `${row.wrong} not ${row.expectCode}`,
      ]),
    );
  } finally {
    await ksqldb?.close();
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
