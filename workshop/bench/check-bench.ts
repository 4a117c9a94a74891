/**
 * Check latency on the local stack: for steps 1-3, the median and maximum over N runs of a passing
 * `npm run check step-N` (the whole command, process start included), and the time to an environment-error verdict
 * with Kafka Connect stopped and with every service down. Goals: a passing check under 2 s median, an environment
 * error under 5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCustomers } from '../../checks/testing/fixtures.js';
import { progress } from '../output.js';
import { startLocalStack, workshopEnv } from '../stack/local-stack.js';
import { everythingDownEnv, runCli } from '../testing/run-cli.js';
import { kibanaStandIn, ksqldbStandIn } from '../stack/standins.js';
import { printTable } from './stack-bench.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

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
  progress('check latency: starting the local stack and the ksqlDB and Kibana stand-ins');
  const stack = await startLocalStack();
  const ksqldb = await ksqldbStandIn();
  const kibana = await kibanaStandIn();
  const state = mkdtempSync(path.join(os.tmpdir(), 'workshop-bench-state-'));
  const env = {
    ...workshopEnv(stack.endpoints),
    WORKSHOP_KSQLDB_URL: ksqldb.url,
    WORKSHOP_KIBANA_URL: kibana.url,
    WORKSHOP_STATE_DIR: state,
  };
  try {
    await loadCustomers(stack.endpoints);
    const solve = await runCli(['solve', 'step-3'], env);
    if (solve.code !== 0) throw new Error(`solve step-3 failed:\n${solve.stdout}\n${solve.stderr}`);
    const rows = [];
    for (const step of ['step-1', 'step-2', 'step-3']) {
      rows.push(await timeRuns(`check ${step} (passing)`, ['check', step], env, runs, 0));
    }
    const allDown = await everythingDownEnv();
    rows.push(await timeRuns('check (every service down)', ['check'], allDown, Math.min(runs, 5), 3));
    await stack.servers.connect.stop();
    rows.push(await timeRuns('check step-3 (Connect stopped)', ['check', 'step-3'], env, Math.min(runs, 5), 3));
    await runCli(['reset'], env).catch(() => undefined);
    printTable(
      'Check latency: whole command, process start included (goal: passing under 2 s median; environment error under 5 s)',
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
    await ksqldb.close();
    await kibana.close();
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
