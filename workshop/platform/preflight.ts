/**
 * `npm run preflight`: is this laptop ready for the workshop? Checks the Docker engine, Compose v2, the memory Docker
 * has, the CPU architecture, the ports the platform publishes and whether every image is already here (so the learner
 * knows before the day whether they can work offline). The checks return data; one function prints them.
 */
import { createServer } from 'node:net';
import os from 'node:os';
import type { CommandLine } from '#core/args.js';
import { colour } from '#core/colour.js';
import { currentEngine, type Engine } from '#core/engine.js';
import { EnvironmentError, ExitCode, WorkshopError } from '#core/errors.js';
import {
  type ComposeFile,
  defaultComposePath,
  formatGiB,
  formatGiBAtLeast,
  memoryNeeds,
  type RequiredImage,
  readComposeFile,
  requiredImages,
  withProfiles,
} from './compose-file.js';
import { type ContainerState, DockerCli, type EngineInfo, versionAtLeast } from './docker.js';
import { serviceLabel } from './services.js';

/** Compose 2.20 reads everything docker-compose.yml uses and prints `ps` as JSON; Compose 5 is its successor. */
export const minimumComposeVersion = '2.20.0';

export type Outcome = 'ok' | 'warn' | 'fail';

export interface PreflightItem {
  check: string;
  outcome: Outcome;
  /** What was found, in words: "Docker 28.2.2 on Docker Desktop". */
  found: string;
  /** What the kit expects, for a warning or a failure. */
  expected?: string;
  /** The next thing to do, for a warning or a failure. */
  next?: string;
}

export interface PreflightReport {
  items: PreflightItem[];
  /** The images not on this machine: npm run up will download (or build) them. */
  missingImages: RequiredImage[];
  /** The engine's facts, when it answered. */
  engine?: EngineInfo;
  /** The project's containers when the check ran (the ports they publish are not "taken"). */
  containers: ContainerState[];
}

export interface PreflightOptions {
  docker: DockerCli;
  compose: ComposeFile;
  /** Whether a port is free on 127.0.0.1; tests may replace it. */
  portIsFree?: (port: number) => Promise<boolean>;
  /** The machine's own architecture (process.arch), to spot an engine emulating another one. */
  hostArch?: string;
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const { docker, compose } = options;
  const items: PreflightItem[] = [];
  const report: PreflightReport = { items, missingImages: [], containers: [] };

  let engine: EngineInfo;
  try {
    engine = await docker.engineInfo();
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    items.push({
      check: 'Docker engine',
      outcome: 'fail',
      // The message already says what was expected and what was found.
      found: error.message,
      next: error.hint,
    });
    items.push(...(await portItems(compose, [], options.portIsFree ?? portIsFree)));
    return report;
  }
  report.engine = engine;
  items.push({
    check: 'Docker engine',
    outcome: 'ok',
    found: `Docker ${engine.serverVersion}${engine.operatingSystem ? ` on ${engine.operatingSystem}` : ''}`,
  });

  try {
    const version = await docker.composeVersion();
    items.push(
      versionAtLeast(version, minimumComposeVersion)
        ? { check: 'Docker Compose', outcome: 'ok', found: `Compose ${version}` }
        : {
            check: 'Docker Compose',
            outcome: 'fail',
            found: `Compose ${version}`,
            expected: `Compose ${minimumComposeVersion} or newer`,
            next: 'update Docker Desktop, or the docker-compose-plugin package on Linux, then run npm run preflight',
          },
    );
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    items.push({ check: 'Docker Compose', outcome: 'fail', found: error.message, next: error.hint });
  }

  items.push(memoryItem(compose, engine));
  items.push(architectureItem(engine, options.hostArch ?? machineArchitecture(process.arch)));

  try {
    report.containers = await docker.composePs();
  } catch (error) {
    if (!(error instanceof WorkshopError)) throw error;
    // Without the list, every taken port counts as taken by another program: the safe reading.
  }
  items.push(...(await portItems(compose, report.containers, options.portIsFree ?? portIsFree)));

  for (const needed of requiredImages(compose)) {
    if ((await docker.imageSize(needed.image)) === undefined) report.missingImages.push(needed);
  }
  items.push(imagesItem(compose, report.missingImages));
  return report;
}

function memoryItem(compose: ComposeFile, engine: EngineInfo): PreflightItem {
  const { recommendedBytes, minimumBytes } = memoryNeeds(compose);
  const found = `${formatGiB(engine.memTotalBytes)} for Docker`;
  const raise = `give Docker at least ${formatGiBAtLeast(recommendedBytes)} (Docker Desktop: Settings → Resources → Memory), then run npm run preflight`;
  if (engine.memTotalBytes < minimumBytes) {
    return {
      check: 'memory',
      outcome: 'fail',
      found,
      expected: `at least ${formatGiBAtLeast(minimumBytes)}; the platform's memory limits add up to ${formatGiB(recommendedBytes)}`,
      next: raise,
    };
  }
  if (engine.memTotalBytes < recommendedBytes) {
    return {
      check: 'memory',
      outcome: 'warn',
      found,
      expected: `${formatGiBAtLeast(recommendedBytes)}, the sum of the platform's memory limits; below it a busy moment may get a container killed`,
      next: raise,
    };
  }
  return {
    check: 'memory',
    outcome: 'ok',
    found: `${found} (the platform's limits add up to ${formatGiB(recommendedBytes)})`,
  };
}

const engineArchitectures: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
};
const nodeArchitectures: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/**
 * The machine's own architecture, as Node sees it; except that an x64 Node on Apple Silicon runs under Rosetta and
 * says x64 on an arm64 Mac (whose Docker engine runs arm64 containers natively): its CPU's name gives it away.
 */
export function machineArchitecture(
  nodeArch: string,
  platform: string = process.platform,
  cpuModel: string = os.cpus()[0]?.model ?? '',
): string {
  if (platform === 'darwin' && nodeArch === 'x64' && /^Apple\b/.test(cpuModel)) return 'arm64';
  return nodeArch;
}

function architectureItem(engine: EngineInfo, hostArch: string): PreflightItem {
  const platform = engineArchitectures[engine.architecture];
  if (!platform) {
    return {
      check: 'CPU architecture',
      outcome: 'fail',
      found: `the engine runs on ${engine.architecture || 'an unknown architecture'}`,
      expected: 'linux/amd64 or linux/arm64, the platforms every image of the workshop is built for',
      next: 'use a laptop with an Intel/AMD (x86-64) or ARM64 processor (Apple Silicon included)',
    };
  }
  const host = nodeArchitectures[hostArch];
  if (host && host !== platform) {
    return {
      check: 'CPU architecture',
      outcome: 'warn',
      found: `the engine runs linux/${platform} on a ${host} machine: every container is emulated, several times slower`,
      expected: `linux/${host}, the machine's own architecture`,
      next: `switch Docker to native ${host} containers (Docker Desktop: turn off emulation in Settings), then npm run preflight`,
    };
  }
  return { check: 'CPU architecture', outcome: 'ok', found: `linux/${platform} (native images exist for it)` };
}

async function portItems(
  compose: ComposeFile,
  containers: ContainerState[],
  isFree: (port: number) => Promise<boolean>,
): Promise<PreflightItem[]> {
  const ours = new Set(containers.flatMap((c) => c.publishers.map((p) => p.publishedPort)));
  const items: PreflightItem[] = [];
  const free: number[] = [];
  const inUseByPlatform: number[] = [];
  for (const service of compose.services) {
    for (const port of service.ports) {
      if (ours.has(port.hostPort)) {
        inUseByPlatform.push(port.hostPort);
      } else if (await isFree(port.hostPort)) {
        free.push(port.hostPort);
      } else {
        items.push({
          check: `port ${port.hostPort}`,
          outcome: 'fail',
          found: `127.0.0.1:${port.hostPort} is in use by another program`,
          expected: `free, for ${serviceLabel(service.name)}`,
          next: `stop the program that listens on it (find it with: lsof -nP -iTCP:${port.hostPort} -sTCP:LISTEN; Windows: netstat -ano | findstr :${port.hostPort}), then run npm run preflight`,
        });
      }
    }
  }
  if (items.length === 0) {
    const parts = [
      free.length > 0 ? `free: ${free.join(', ')}` : '',
      inUseByPlatform.length > 0 ? `already the platform's: ${inUseByPlatform.join(', ')}` : '',
    ];
    items.push({ check: 'ports on 127.0.0.1', outcome: 'ok', found: parts.filter(Boolean).join('; ') });
  }
  return items;
}

function imagesItem(compose: ComposeFile, missing: PreflightReport['missingImages']): PreflightItem {
  const total = requiredImages(compose).length;
  if (missing.length === 0) {
    return {
      check: 'images',
      outcome: 'ok',
      found: `all ${total} images are on this machine: the platform starts offline`,
    };
  }
  const pulled = missing.filter((m) => !m.built).map((m) => m.image);
  const built = missing.filter((m) => m.built).map((m) => m.image);
  const found = [
    pulled.length > 0 ? `not on this machine: ${pulled.join(', ')}` : '',
    built.length > 0 ? `not built yet: ${built.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    check: 'images',
    outcome: 'warn',
    found,
    expected: `all ${total} images here, so the platform starts without a network`,
    next: 'while online, run npm run prefetch (npm run up downloads what is missing, which is slow on conference Wi-Fi)',
  };
}

/** Free if this process can listen on it: the same address the platform's containers publish on. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const marks: Record<Outcome, string> = { ok: colour.green('✓'), warn: colour.yellow('!'), fail: colour.red('✗') };

export function formatReport(report: PreflightReport): string {
  const lines = report.items.map((item) => {
    const head = `${marks[item.outcome]} ${item.check}: ${item.found}`;
    if (item.outcome === 'ok') return head;
    const expected = item.expected ? `\n    expected: ${item.expected}` : '';
    const next = item.next ? `\n    ${colour.yellow('→')} ${item.next}` : '';
    return `${head}${expected}${next}`;
  });
  const failures = report.items.filter((i) => i.outcome === 'fail').length;
  const warnings = report.items.filter((i) => i.outcome === 'warn').length;
  const verdict =
    failures > 0
      ? colour.red(
          `Not ready: ${plural(failures, 'problem')} to fix${warnings ? `, ${plural(warnings, 'warning')}` : ''}.`,
        )
      : warnings > 0
        ? colour.yellow(`Ready, with ${plural(warnings, 'warning')}.`)
        : colour.green('Ready for the workshop, offline included.');
  return `${lines.join('\n')}\n${verdict}\n`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function failedItems(report: PreflightReport): PreflightItem[] {
  return report.items.filter((item) => item.outcome === 'fail');
}

export interface CommandEnvironment {
  env?: NodeJS.ProcessEnv;
  composePath?: string;
  portIsFree?: (port: number) => Promise<boolean>;
  hostArch?: string;
}

/** The platform a command works on: the compose file (the kit's, or a test's) and a Docker CLI for it. */
/**
 * The platform as the room's engine runs it: a Flink room's compose file counts the services of the profile `flink`
 * among those up, status and preflight look at, and every compose command names that profile.
 */
export function platformOf(
  context: CommandEnvironment,
  engine: Engine = currentEngine(context.env),
): { compose: ComposeFile; docker: DockerCli } {
  const composePath = context.composePath ?? defaultComposePath;
  const profiles = engine === 'flink' ? ['flink'] : [];
  return {
    compose: withProfiles(readComposeFile(composePath), profiles),
    docker: new DockerCli({ env: context.env, composeFile: composePath, profiles }),
  };
}

export async function preflightCommand(
  { values: { json } }: CommandLine<{ json: boolean }>,
  context: CommandEnvironment = {},
): Promise<number> {
  const { compose, docker } = platformOf(context);
  const report = await runPreflight({
    docker,
    compose,
    portIsFree: context.portIsFree,
    hostArch: context.hostArch ?? machineArchitecture(os.arch()),
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ items: report.items, missingImages: report.missingImages }, null, 2)}\n`);
  } else {
    process.stdout.write(`Preflight: is this laptop ready for the workshop?\n${formatReport(report)}`);
  }
  return failedItems(report).length > 0 ? ExitCode.environment : ExitCode.ok;
}
