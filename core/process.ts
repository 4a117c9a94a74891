/**
 * A server process of the local stack: started in its own process group with its output in a log file, so it can be
 * stopped as a whole (a start script and the JVM it launches) and, when it fails, reported with its log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { EnvironmentError } from './errors.js';
import { NotYet, waitFor } from './wait.js';

export interface StartOptions {
  /** Shown in every message: "Kafka", "MariaDB". */
  name: string;
  command: string;
  args: string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (when the kit runs as root and the server refuses to). */
  uid?: number;
  gid?: number;
}

export class ServerProcess {
  private exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly logPath: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
      // A command that cannot be started (ENOENT, EACCES) reports an error and never exits.
      child.once('error', (error) => {
        if (child.pid !== undefined) return;
        this.exit = { code: null, signal: null, error };
        resolve();
      });
    });
  }

  static start(options: StartOptions): ServerProcess {
    const log = openSync(options.logPath, 'a');
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', log, log],
        detached: true,
        uid: options.uid,
        gid: options.gid,
      });
      return new ServerProcess(options.name, options.logPath, child);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process is no longer running, or undefined while it runs. */
  exitDescription(): string | undefined {
    if (!this.exit) return undefined;
    if (this.exit.error) return `${this.name} could not be started: ${this.exit.error.message}`;
    return this.exit.signal
      ? `${this.name} was stopped by ${this.exit.signal}`
      : `${this.name} exited with code ${this.exit.code}`;
  }

  /** Resolves when the process has exited, for whatever reason. */
  whenExited(): Promise<void> {
    return this.exited;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.exit === undefined;
  }

  /** The last lines of the server's log, for failure reports. */
  tailLog(lines = 25): string {
    if (!existsSync(this.logPath)) return '(no log written)';
    const text = readFileSync(this.logPath, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  }

  /** An error naming the server, the last lines of its log and the log's path. */
  failure(problem: string): EnvironmentError {
    return new EnvironmentError(
      `${this.name} did not start: ${problem}\n--- last lines of ${this.logPath} ---\n${this.tailLog()}\n---`,
      `read the whole log at ${this.logPath}`,
    );
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL if it has not exited by the deadline. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.child.pid === undefined) return;
    if (!this.running) {
      // The leader (a start script) is gone, but what it started may not be.
      signalGroup(this.child.pid, 'SIGKILL');
      return;
    }
    signalGroup(this.child.pid, 'SIGTERM');
    try {
      await waitFor({
        what: `${this.name} to exit`,
        probe: async () => (this.running ? new NotYet('still running') : true),
        timeoutMs: graceMs,
        intervalMs: 100,
      });
    } catch {
      signalGroup(this.child.pid, 'SIGKILL');
      await this.exited;
    }
    // The group may hold children that outlive the leader (a JVM started by a script).
    signalGroup(this.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
