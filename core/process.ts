/**
 * The kit's one process manager. Every process the kit starts to outlive a call (a stack server, a background
 * producer or app that solve starts, the room reporter's sender) is started detached, in a process group of its own,
 * so it can be stopped as a whole (a start script and the JVM it launches); a process that must be found again by a
 * later command is remembered by a pid file that also holds the title it was given, so a reused pid is never taken
 * for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from './errors.js';
import { stateDir } from './state-dir.js';
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
    return new ServerProcess(options.name, options.logPath, spawnDetached(options));
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

export interface DetachedOptions {
  command: string;
  args: string[];
  /** Where its output goes (appended); without one, nowhere. */
  logPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Starts a process in a group of its own, its output appended to its log (or dropped), with no console window on
 * Windows. The caller decides whether to keep a handle on it or to `unref()` it.
 */
export function spawnDetached(options: DetachedOptions): ChildProcess {
  const log = options.logPath === undefined ? undefined : openSync(options.logPath, 'a');
  try {
    return spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: log === undefined ? 'ignore' : ['ignore', log, log],
      detached: true,
      windowsHide: true,
      uid: options.uid,
      gid: options.gid,
    });
  } finally {
    if (log !== undefined) closeSync(log);
  }
}

/** Sends a signal to a whole process group; a group that is gone already is no error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Remembers a process started by one command for a later one: its pid and the title it was started with. */
export function writePidFile(file: string, pid: number, title: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${pid} ${title}\n`);
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/** The pid file of a background process the kit starts under `name` (solve's producer, say), in the state folder. */
export function kitPidFile(name: string): string {
  return path.join(stateDir(), `${name}.pid`);
}

/** The pid of the background process the kit started under `name`, if it still runs. */
export function runningKitProcess(name: string): number | undefined {
  return runningPid(kitPidFile(name));
}

/**
 * The pid in a pid file, if that process still runs and is the one the file names. Where /proc exists (Linux, WSL)
 * the process must carry the title written with it, so a pid reused by another program (after a reboot) is never
 * taken for ours; elsewhere the pid check must do.
 */
export function runningPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const [pidText, title] = readFileSync(file, 'utf8').trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  if (title && existsSync(`/proc/${pid}/cmdline`)) {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(title) ? pid : undefined;
  }
  return pid;
}

/**
 * Ctrl-C for a command that runs until stopped: the first asks it to stop (what is in flight is finished), a second
 * gives up at once: `quit` says what was given up, and the process exits with 130. Returns what removes the handler.
 */
export function stopOnInterrupt(
  stop: () => void,
  quit: () => void,
  signals: NodeJS.Signals[] = ['SIGINT'],
): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      stop();
      return;
    }
    quit();
    process.exit(130);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
