/**
 * The CLI's own start, with nothing to connect to: `npm run workshop` (prints the command list) and the same without
 * npm, built (what npm run starts) and from source through tsx (the kit before it was built), each as a ratio to
 * `node -e 0` measured in the same run. Runs alternate, so a busy moment hits them all alike.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { progress } from '#core/output.js';
import { repoPath, repoRoot } from '#core/state-dir.js';
import { median } from '#workshop/dev/testing/stats.js';
import { printTable } from './stack-bench.js';

const root = repoRoot;
const launcher = repoPath('workshop/launcher/launch.mjs');
const tsx = repoPath('node_modules/.bin/tsx');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Variant {
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const variants: Variant[] = [
  { label: 'node -e 0 (reference)', command: process.execPath, args: ['-e', '0'] },
  { label: 'npm --version (npm alone)', command: npm, args: ['--version'] },
  { label: 'npm run workshop', command: npm, args: ['run', '--silent', 'workshop'] },
  { label: 'node workshop/launcher/launch.mjs', command: process.execPath, args: [launcher] },
  {
    label: 'the same from source (WORKSHOP_FROM_SOURCE=1)',
    command: process.execPath,
    args: [launcher],
    env: { WORKSHOP_FROM_SOURCE: '1' },
  },
  { label: 'tsx workshop/cli.ts (npm ran this before)', command: tsx, args: ['workshop/cli.ts'] },
];

function timeOnce(variant: Variant): number {
  const started = performance.now();
  const result = spawnSync(variant.command, variant.args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...variant.env },
    stdio: 'ignore',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return performance.now() - started;
}

export async function benchCli(runs: number): Promise<void> {
  progress(`the CLI's start: ${variants.length} ways, ${runs} runs each`);
  // One untimed round first: the build is made if it is stale, and the file cache is warm for all.
  for (const variant of variants) timeOnce(variant);
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [v, variant] of variants.entries()) times[v]?.push(timeOnce(variant));
  }
  const reference = median(times[0] ?? []);
  printTable(
    `CLI start, no services needed (median of ${runs}; load ${os.loadavg()[0]?.toFixed(1)}; goal: within 3× node -e 0)`,
    ['command', 'median', 'vs node -e 0'],
    variants.map((variant, v) => {
      const m = median(times[v] ?? []);
      return [variant.label, `${Math.round(m)} ms`, `${(m / reference).toFixed(1)}×`];
    }),
  );
}
