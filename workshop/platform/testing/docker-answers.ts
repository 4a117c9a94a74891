/**
 * What the real docker client prints, for the stand-in in fake-docker.mjs. Shapes come from the client itself and
 * from Docker Compose's source: `docker info --format '{{json .}}'` (the engine-down answer was captured from docker
 * 28.2.2 with no engine), `docker compose ps --format json` (one object per line since Compose 2.21, the fields of
 * Compose's container formatter), `docker image inspect` and the messages of compose and the engine.
 */

export interface Answer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Keep the call running this long: an engine that does not answer. */
  hangMs?: number;
}

export interface Rule {
  /** A regular expression over the arguments joined with spaces. */
  match: string;
  answers: Answer[];
}

const engineDownInfoJson =
  '{"ID":"","Containers":0,"ContainersRunning":0,"ContainersPaused":0,"ContainersStopped":0,"Images":0,"Driver":"","DriverStatus":null,"Plugins":{"Volume":null,"Network":null,"Authorization":null,"Log":null},"MemoryLimit":false,"SwapLimit":false,"CpuCfsPeriod":false,"CpuCfsQuota":false,"CPUShares":false,"CPUSet":false,"PidsLimit":false,"IPv4Forwarding":false,"Debug":false,"NFd":0,"OomKillDisable":false,"NGoroutines":0,"SystemTime":"","LoggingDriver":"","CgroupDriver":"","NEventsListener":0,"KernelVersion":"","OperatingSystem":"","OSVersion":"","OSType":"","Architecture":"","IndexServerAddress":"","RegistryConfig":null,"NCPU":0,"MemTotal":0,"GenericResources":null,"DockerRootDir":"","HttpProxy":"","HttpsProxy":"","NoProxy":"","Name":"","Labels":null,"ExperimentalBuild":false,"ServerVersion":"","Runtimes":null,"DefaultRuntime":"","Swarm":{"NodeID":"","NodeAddr":"","LocalNodeState":"","ControlAvailable":false,"Error":"","RemoteManagers":null},"LiveRestoreEnabled":false,"Isolation":"","InitBinary":"","ContainerdCommit":{"ID":""},"RuncCommit":{"ID":""},"InitCommit":{"ID":""},"SecurityOptions":null,"CDISpecDirs":null,"Warnings":null,"ClientInfo":{"Debug":false,"Version":"28.2.2","DefaultAPIVersion":"1.50","GitCommit":"e6534b4","GoVersion":"go1.24.3","Os":"linux","Arch":"amd64","BuildTime":"Fri May 30 12:07:14 2025","Context":"default","Plugins":[],"Warnings":null}}';

export const engineNotRunningMessage =
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n';

/** `docker info` with no engine: the client still prints its own half of the JSON, and exits 1. */
export const infoEngineDown: Answer = {
  stdout: `${engineDownInfoJson}\n`,
  stderr: engineNotRunningMessage,
  exitCode: 1,
};

/** `docker info` of a running engine: the same keys, the server's filled in. */
export function infoRunning(
  options: { memTotalBytes?: number; architecture?: string; operatingSystem?: string } = {},
): Answer {
  const info = JSON.parse(engineDownInfoJson) as Record<string, unknown>;
  Object.assign(info, {
    ID: 'b7a1c9e4-5d0f-4c8e-9a57-3f2e1d0c9b8a',
    Containers: 0,
    Images: 12,
    Driver: 'overlayfs',
    MemoryLimit: true,
    KernelVersion: '6.10.14-linuxkit',
    OperatingSystem: options.operatingSystem ?? 'Docker Desktop',
    OSVersion: '',
    OSType: 'linux',
    // By default the engine runs the machine's own architecture, as on a laptop where all is well.
    Architecture: options.architecture ?? (process.arch === 'arm64' ? 'aarch64' : 'x86_64'),
    NCPU: 8,
    MemTotal: options.memTotalBytes ?? 8_222_568_448,
    DockerRootDir: '/var/lib/docker',
    Name: 'docker-desktop',
    ServerVersion: '28.2.2',
  });
  return { stdout: `${JSON.stringify(info)}\n` };
}

/** `docker compose version --short`. */
export const composeVersion = (version = '2.36.2'): Answer => ({ stdout: `${version}\n` });

/** `docker compose version --short` where the Compose plugin is missing: the client takes --short for its own flag. */
export const composeMissing: Answer = {
  stderr:
    "unknown flag: --short\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n",
  exitCode: 125,
};

/** `docker image inspect --format {{.Size}} <image>`. */
export const imagePresent = (bytes = 812_345_678): Answer => ({ stdout: `${bytes}\n` });
export const imageMissing = (image: string): Answer => ({
  stderr: `Error response from daemon: No such image: ${image}\n`,
  exitCode: 1,
});

export interface PsContainer {
  service: string;
  state: 'created' | 'running' | 'exited' | 'restarting' | 'dead';
  health?: 'starting' | 'healthy' | 'unhealthy' | '';
  exitCode?: number;
  image?: string;
  /** Ports published on 127.0.0.1: [host, container]. */
  ports?: [number, number][];
}

/** One line of `docker compose ps --all --format json` (Compose 2.21+), with the fields its formatter writes. */
export function psLine(project: string, c: PsContainer): string {
  const name = `${project}-${c.service}-1`;
  const health = c.state === 'running' ? (c.health ?? '') : '';
  const status =
    c.state === 'exited'
      ? `Exited (${c.exitCode ?? 0}) 4 seconds ago`
      : c.state === 'created'
        ? 'Created'
        : `Up 41 seconds${health === 'starting' ? ' (health: starting)' : health ? ` (${health})` : ''}`;
  const ports = c.ports ?? [];
  return JSON.stringify({
    Command: '"/etc/confluent/docker/run"',
    CreatedAt: '2026-11-20 09:14:03 +0000 UTC',
    ExitCode: c.state === 'exited' ? (c.exitCode ?? 0) : 0,
    Health: health,
    ID: 'a1b2c3d4e5f6',
    Image: c.image ?? `example/${c.service}:1.0.0`,
    Labels: `com.docker.compose.project=${project},com.docker.compose.service=${c.service}`,
    LocalVolumes: '1',
    Mounts: `${project}_${c.service}-data`,
    Name: name,
    Names: name,
    Networks: `${project}_default`,
    Ports: ports.map(([host, container]) => `127.0.0.1:${host}->${container}/tcp`).join(', '),
    Project: project,
    Publishers: ports.map(([host, container]) => ({
      URL: '127.0.0.1',
      TargetPort: container,
      PublishedPort: host,
      Protocol: 'tcp',
    })),
    RunningFor: '41 seconds ago',
    Service: c.service,
    Size: '0B',
    State: c.state,
    Status: status,
  });
}

export function ps(project: string, containers: PsContainer[]): Answer {
  return { stdout: containers.map((c) => `${psLine(project, c)}\n`).join('') };
}

/** `docker compose logs --no-color --tail N <service>`: each line prefixed with the container's short name. */
export function logs(service: string, lines: string[]): Answer {
  return { stdout: lines.map((line) => `${service}-1  | ${line}\n`).join('') };
}

/** `docker compose up --detach` progress, as Compose writes it to stderr without a terminal. */
export function upProgress(project: string, services: string[]): string {
  return [
    ` Network ${project}_default  Creating`,
    ` Network ${project}_default  Created`,
    ...services.flatMap((s) => [` Container ${project}-${s}-1  Creating`, ` Container ${project}-${s}-1  Created`]),
    ...services.flatMap((s) => [` Container ${project}-${s}-1  Starting`, ` Container ${project}-${s}-1  Started`]),
    '',
  ].join('\n');
}

/** Compose's error when a service others depend on turns unhealthy (pkg/compose/convergence.go). */
export function upDependencyUnhealthy(project: string, service: string): Answer {
  return {
    stderr: `${upProgress(project, [])} Container ${project}-${service}-1  Waiting\n Container ${project}-${service}-1  Error\ndependency failed to start: container ${project}-${service}-1 is unhealthy\n`,
    exitCode: 1,
  };
}

/** Docker Desktop's error when a host port is taken by another program (its port forwarder). */
export function upPortTakenDesktop(project: string, service: string, port: number): Answer {
  return {
    stderr: `${upProgress(project, [])} Container ${project}-${service}-1  Starting\nError response from daemon: Ports are not available: exposing port TCP 127.0.0.1:${port} -> 0.0.0.0:0: listen tcp 127.0.0.1:${port}: bind: address already in use\n`,
    exitCode: 1,
  };
}

/** The engine's error when a host port is taken by another program (libnetwork's port allocator). */
export function upPortTaken(project: string, service: string, port: number): Answer {
  return {
    stderr: `${upProgress(project, [])}Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint ${project}-${service}-1 (3f1c0de2a9b8): failed to bind host port 127.0.0.1:${port}/tcp: address already in use\n`,
    exitCode: 1,
  };
}
