/**
 * The docker client, called through zx with a timeout on every call. Each answer is parsed here, and each failure
 * the kit can foresee (no docker command, engine not running, no permission, no Compose v2, no answer in time)
 * becomes an EnvironmentError that says what was expected, what was found and what to run next.
 */
import { $, type ProcessPromise } from 'zx';
import { EnvironmentError } from '#core/errors.js';
import { formatSeconds } from '#core/wait.js';

export interface DockerResult {
  /** The command line as a person would type it, for messages. */
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface DockerOptions {
  /** The environment docker runs in (PATH decides which docker); tests put a stand-in first on PATH. */
  env?: NodeJS.ProcessEnv;
  /** docker-compose.yml, passed to every compose command so the commands work from any folder. */
  composeFile: string;
  /** Compose profiles named in every compose command: the room's engine's (`flink`), so its services count too. */
  profiles?: string[];
}

/** How long the usual calls may take; long ones (pull, build, up) take their deadline from the caller. */
export const quickCallMs = 30_000;

export interface RunningDocker {
  result: Promise<DockerResult>;
  /** Ends the call if it still runs, and waits until it has ended. */
  stop(): Promise<void>;
}

/** zx fails this way only when it cannot start the shell at all. */
function cannotRun(command: string, error: unknown): EnvironmentError {
  return new EnvironmentError(
    `could not run "${command}": ${(error as Error).message}`,
    'the kit runs docker through bash: check that bash is installed and on PATH',
  );
}

export class DockerCli {
  readonly env: NodeJS.ProcessEnv;
  readonly composeFile: string;
  readonly profiles: string[];

  constructor(options: DockerOptions) {
    this.env = options.env ?? process.env;
    this.composeFile = options.composeFile;
    this.profiles = options.profiles ?? [];
  }

  /** `compose --file <docker-compose.yml> [--profile p…]`: the start of every compose command. */
  private composeArgs(): string[] {
    return ['compose', '--file', this.composeFile, ...this.profiles.flatMap((p) => ['--profile', p])];
  }

  /** Runs `docker <args>` and returns what it said; never throws for an exit code. */
  run(args: string[], timeoutMs: number): Promise<DockerResult> {
    return this.start(args, timeoutMs).result;
  }

  /** Starts `docker <args>` and returns at once: its result to await, and a way to stop it early. */
  start(args: string[], timeoutMs: number): RunningDocker {
    const command = ['docker', ...args].join(' ');
    let process: ProcessPromise;
    try {
      process = $({ env: this.env, nothrow: true, quiet: true, timeout: timeoutMs })`docker ${args}`;
    } catch (error) {
      return { result: Promise.reject(cannotRun(command, error)), stop: async () => {} };
    }
    const result = process.then(
      (output) => ({
        command,
        exitCode: output.exitCode,
        stdout: output.stdout,
        stderr: output.stderr,
        // zx ends a call that outlives its timeout with a signal, so it has no exit code.
        timedOut: output.exitCode === null,
      }),
      (error: unknown) => {
        throw cannotRun(command, error);
      },
    );
    return {
      result,
      stop: async () => {
        if (process.stage === 'running') await process.kill();
        await result.catch(() => undefined);
      },
    };
  }

  /** `docker compose --file <docker-compose.yml> <args>`, started. */
  startCompose(args: string[], timeoutMs: number): RunningDocker {
    return this.start([...this.composeArgs(), ...args], timeoutMs);
  }

  /** `docker compose --file <docker-compose.yml> <args>`. */
  compose(args: string[], timeoutMs: number): Promise<DockerResult> {
    return this.run([...this.composeArgs(), ...args], timeoutMs);
  }

  /** Runs and returns stdout, or throws the EnvironmentError that explains the failure. */
  async expectOk(args: string[], timeoutMs: number, expected: string): Promise<string> {
    const result = await this.run(args, timeoutMs);
    if (result.exitCode !== 0) throw dockerFailure(result, expected, timeoutMs);
    return result.stdout;
  }

  async expectComposeOk(args: string[], timeoutMs: number, expected: string): Promise<string> {
    return this.expectOk([...this.composeArgs(), ...args], timeoutMs, expected);
  }

  /** The engine's facts, or the EnvironmentError that says why there are none. */
  async engineInfo(): Promise<EngineInfo> {
    const stdout = await this.expectOk(
      ['info', '--format', '{{json .}}'],
      quickCallMs,
      'the Docker engine to answer "docker info"',
    );
    return parseEngineInfo(stdout);
  }

  /** Compose's version ("2.36.2", "5.0.1"), or the EnvironmentError that says Compose v2 is missing. */
  async composeVersion(): Promise<string> {
    const stdout = await this.expectOk(
      ['compose', 'version', '--short'],
      quickCallMs,
      'Docker Compose to print its version',
    );
    return stdout.trim().replace(/^v/, '');
  }

  /** Every container of the project, running or not. */
  async composePs(): Promise<ContainerState[]> {
    const stdout = await this.expectComposeOk(
      ['ps', '--all', '--format', 'json'],
      quickCallMs,
      'Docker Compose to list the platform’s containers',
    );
    return parseComposePs(stdout);
  }

  /** The image's size in bytes, or undefined when the engine does not have it. */
  async imageSize(image: string): Promise<number | undefined> {
    const result = await this.run(['image', 'inspect', '--format', '{{.Size}}', image], quickCallMs);
    if (result.exitCode === 0) return Number(result.stdout.trim());
    if (/no such image/i.test(result.stderr)) return undefined;
    throw dockerFailure(result, `the engine to say whether it has the image ${image}`, quickCallMs);
  }

  /** The last lines of a service's log, for a failure report; a note instead of a log if there is none. */
  async serviceLogTail(service: string, lines = 30): Promise<string> {
    const result = await this.compose(['logs', '--no-color', '--tail', String(lines), service], quickCallMs);
    const text = `${result.stdout}${result.stderr}`.trim();
    if (result.exitCode !== 0) return `(its log could not be read: ${lastLines(text, 1) || 'no output'})`;
    return text === '' ? '(its log is empty)' : text;
  }
}

/** The error for a docker call that did not do what was expected: engine down, no permission, timeout, or other. */
export function dockerFailure(result: DockerResult, expected: string, timeoutMs: number): EnvironmentError {
  const said = `${result.stderr}\n${result.stdout}`;
  if (result.timedOut) {
    return new EnvironmentError(
      `expected ${expected}, but "${result.command}" did not answer within ${formatSeconds(timeoutMs)}`,
      'Docker may be starting or stuck: check that Docker Desktop (or the docker service) is running, then run the command again',
    );
  }
  if (result.exitCode === 127 || /docker: (command )?not found/i.test(said)) {
    return new EnvironmentError(
      `expected the docker command, found none on PATH (running "${result.command}")`,
      'install Docker Desktop (macOS, Windows with WSL2) or Docker Engine with the Compose plugin (Linux), then run npm run preflight',
    );
  }
  // Without the Compose plugin the client reads "compose" as an unknown command, or its flags as its own.
  if (
    result.command.startsWith('docker compose') &&
    /unknown command: docker compose|is not a docker command|unknown (shorthand )?flag/i.test(said)
  ) {
    return new EnvironmentError(
      `Docker Compose v2 is not installed: expected ${expected}, found the docker client without it (it said: ${result.stderr.trim().split('\n')[0]})`,
      'install the Compose plugin (Docker Desktop includes it; Linux: the docker-compose-plugin package), then run npm run preflight',
    );
  }
  if (/permission denied while trying to connect to the docker (daemon|API)/i.test(said)) {
    return new EnvironmentError(
      `expected ${expected}, found no permission to use the Docker engine: ${lastLines(result.stderr, 1)}`,
      'add yourself to the docker group (sudo usermod -aG docker $USER), log out and in again, then run npm run preflight',
    );
  }
  if (
    /cannot connect to the docker daemon|error during connect|is the docker daemon running|docker_engine/i.test(said)
  ) {
    return new EnvironmentError(
      `expected ${expected}, found the Docker engine not running: ${lastLines(result.stderr, 1)}`,
      'start Docker Desktop (Linux: sudo systemctl start docker), wait until it says it is running, then run the command again',
    );
  }
  return new EnvironmentError(
    `expected ${expected}, but "${result.command}" failed (exit ${result.exitCode}):\n${indent(lastLines(said.trim(), 15))}`,
    'read the message above; npm run preflight checks Docker, memory and ports',
  );
}

export interface EngineInfo {
  serverVersion: string;
  memTotalBytes: number;
  cpus: number;
  /** As the engine reports it: x86_64, aarch64. */
  architecture: string;
  operatingSystem: string;
  osType: string;
}

export function parseEngineInfo(json: string): EngineInfo {
  const info = JSON.parse(json) as Record<string, unknown>;
  return {
    serverVersion: String(info.ServerVersion ?? ''),
    memTotalBytes: Number(info.MemTotal ?? 0),
    cpus: Number(info.NCPU ?? 0),
    architecture: String(info.Architecture ?? ''),
    operatingSystem: String(info.OperatingSystem ?? ''),
    osType: String(info.OSType ?? ''),
  };
}

export interface ContainerState {
  service: string;
  name: string;
  /** created, running, restarting, paused, exited, dead, removing. */
  state: string;
  /** healthy, unhealthy, starting, or "" for a container without a healthcheck (or not running). */
  health: string;
  exitCode: number;
  /** "Up 2 minutes (healthy)", "Exited (137) 5 seconds ago". */
  status: string;
  publishers: { url: string; targetPort: number; publishedPort: number; protocol: string }[];
}

/**
 * `docker compose ps --format json`: one JSON object per line (Compose 2.21 and later) or one JSON array (earlier
 * Compose v2), each object with Service, Name, State, Health, ExitCode, Status and Publishers.
 */
export function parseComposePs(stdout: string): ContainerState[] {
  const text = stdout.trim();
  if (text === '') return [];
  const objects: Record<string, unknown>[] = text.startsWith('[')
    ? (JSON.parse(text) as Record<string, unknown>[])
    : text.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return objects.map((o) => ({
    service: String(o.Service ?? ''),
    name: String(o.Name ?? ''),
    state: String(o.State ?? '').toLowerCase(),
    health: String(o.Health ?? '').toLowerCase(),
    exitCode: Number(o.ExitCode ?? 0),
    status: String(o.Status ?? ''),
    publishers: (Array.isArray(o.Publishers) ? (o.Publishers as Record<string, unknown>[]) : []).map((p) => ({
      url: String(p.URL ?? ''),
      targetPort: Number(p.TargetPort ?? 0),
      publishedPort: Number(p.PublishedPort ?? 0),
      protocol: String(p.Protocol ?? 'tcp'),
    })),
  }));
}

/** Compare "2.36.2" with a minimum "2.20.0": true if at least the minimum. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parts = (v: string) => v.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}
