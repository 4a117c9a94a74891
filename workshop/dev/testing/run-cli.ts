/** Runs the kit's CLI as a learner would (`npm run <command>` runs the same launcher), for tests and benchmarks. */
import { spawn } from 'node:child_process';
import { repoPath, repoRoot } from '#core/state-dir.js';
import { freePorts } from '#workshop/dev/stack/ports.js';

const launcher = repoPath('workshop/launcher/launch.mjs');
const root = repoRoot;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface RunningCli {
  /** What it has printed so far. */
  stdout(): string;
  stderr(): string;
  exited(): boolean;
  done: Promise<CliRun>;
  kill(signal?: NodeJS.Signals): void;
}

export function startCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [launcher, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} ran longer than ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    done,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  return startCli(args, env, timeoutMs).done;
}

/** WORKSHOP_* variables that point every service at a port where nothing listens: the platform entirely down. */
export async function everythingDownEnv(): Promise<Record<string, string>> {
  const [kafka, connect, ksqldb, mysql, es, kibana] = await freePorts(6);
  return {
    WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${kafka}`,
    WORKSHOP_CONNECT_URL: `http://127.0.0.1:${connect}`,
    WORKSHOP_KSQLDB_URL: `http://127.0.0.1:${ksqldb}`,
    WORKSHOP_MYSQL_PORT: String(mysql),
    WORKSHOP_ELASTICSEARCH_URL: `http://127.0.0.1:${es}`,
    WORKSHOP_KIBANA_URL: `http://127.0.0.1:${kibana}`,
  };
}
