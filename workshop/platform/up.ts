/**
 * `npm run up`: checks the laptop (preflight), downloads and builds what is missing, starts the platform and shows
 * each service's progress until all are healthy or the deadline passes. A service that fails is named with its
 * state and the last lines of its log. Then it puts the Elasticsearch index template and says where to go next.
 */
import { ensureTimestampTemplate } from '#checks/clients/index-template.js';
import type { CommandLine } from '#core/args.js';
import { currentEngine, type Engine, engineNames, rememberEngine } from '#core/engine.js';
import { EnvironmentError, ExitCode, TimeoutError } from '#core/errors.js';
import { progress, success } from '#core/output.js';
import { type Clock, formatSeconds, NotYet, systemClock, waitFor } from '#core/wait.js';
import { type ComposeFile, findService } from './compose-file.js';
import { type DockerCli, type DockerResult, dockerFailure, indent, lastLines } from './docker.js';
import { type CommandEnvironment, failedItems, formatReport, platformOf, plural, runPreflight } from './preflight.js';
import { describeState, type ServiceView, serviceViews, statusTable } from './status.js';

export const defaultStartTimeoutMs = 6 * 60_000;
/** Downloads on a slow network: generous, but not endless. */
export const downloadTimeoutMs = 60 * 60_000;
export const buildTimeoutMs = 30 * 60_000;

export interface UpOptions {
  docker: DockerCli;
  compose: ComposeFile;
  /** How long the services may take to become healthy once started (downloads are not counted). */
  startTimeoutMs?: number;
  clock?: Clock;
  intervalMs?: number;
  portIsFree?: (port: number) => Promise<boolean>;
  hostArch?: string;
  /** Puts the Elasticsearch index template; tests replace it. */
  putIndexTemplate?: (elasticsearchUrl: string) => Promise<void>;
  /** Told each step and each service's change: stderr in the CLI. */
  onProgress?: (message: string) => void;
  onServiceReady?: (message: string) => void;
}

export interface UpResult {
  views: ServiceView[];
  startedInMs: number;
}

export async function up(options: UpOptions): Promise<UpResult> {
  const { docker, compose } = options;
  const say = options.onProgress ?? (() => {});
  const clock = options.clock ?? systemClock;

  say('checking this laptop (npm run preflight)');
  const report = await runPreflight({
    docker,
    compose,
    portIsFree: options.portIsFree,
    hostArch: options.hostArch,
  });
  const failures = failedItems(report);
  if (failures.length > 0) {
    throw new EnvironmentError(
      `the preflight check found ${plural(failures.length, 'problem')}, so the platform was not started:\n${indent(formatReport(report).trimEnd(), '  ')}`,
      'fix the items marked ✗, then run npm run up again',
    );
  }

  for (const item of report.items) {
    // Missing images are dealt with just below.
    if (item.outcome === 'warn' && item.check !== 'images') say(`warning, ${item.check}: ${item.found}; ${item.next}`);
  }

  const toPull = report.missingImages.filter((m) => !m.built);
  if (toPull.length > 0) {
    say(
      `downloading ${plural(toPull.length, 'image')} (${toPull.map((m) => m.image).join(', ')}); slow on a poor network`,
    );
    const result = await docker.compose(['pull', '--quiet', ...toPull.flatMap((m) => m.services)], downloadTimeoutMs);
    if (result.exitCode !== 0) {
      throw downloadFailure(
        result,
        toPull.map((m) => m.image),
      );
    }
  }
  const toBuild = report.missingImages.filter((m) => m.built);
  if (toBuild.length > 0) {
    say(`building ${toBuild.map((m) => m.image).join(', ')} (downloads its connector plugins once)`);
    const result = await docker.compose(['build', ...toBuild.flatMap((m) => m.services)], buildTimeoutMs);
    if (result.exitCode !== 0) {
      throw downloadFailure(
        result,
        toBuild.map((m) => m.image),
      );
    }
  }

  const timeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
  const startedAt = clock.now();
  say(`starting ${plural(compose.services.length, 'service')} (docker compose up --detach)`);
  const composeUp = docker.startCompose(['up', '--detach'], timeoutMs);
  let upResult: DockerResult | undefined;
  let upError: unknown;
  composeUp.result.then(
    (result) => {
      upResult = result;
    },
    (error: unknown) => {
      upError = error;
    },
  );
  const seen = new Map<string, string>();
  let views: ServiceView[] = [];
  try {
    views = await waitFor({
      what: 'every service of the platform to be healthy',
      timeoutMs,
      intervalMs: options.intervalMs ?? 2_000,
      clock,
      probe: async () => {
        const current = serviceViews(compose, await docker.composePs());
        views = current;
        for (const view of current) {
          const stale = upResult === undefined && (view.state === 'exited' || view.state === 'dead');
          if (view.state === 'not created' || stale) continue;
          const described = describeState(view);
          if (seen.get(view.service) === described) continue;
          seen.set(view.service, described);
          const elapsed = formatSeconds(clock.now() - startedAt);
          if (view.readiness === 'ready') options.onServiceReady?.(`${view.service}: ${described} (${elapsed})`);
          else say(`${view.service}: ${described}`);
        }
        // A container left exited by an earlier run is started again by compose: only once compose is done does
        // "exited" mean the service stopped by itself.
        const failed = current.find(
          (v) => v.health === 'unhealthy' || (upResult !== undefined && (v.state === 'exited' || v.state === 'dead')),
        );
        if (failed) throw await serviceFailure(docker, compose, failed);
        if (upError) throw upError;
        if (upResult && upResult.exitCode !== 0) throw await composeUpFailure(docker, compose, upResult, timeoutMs);
        if (current.every((v) => v.readiness === 'ready')) return current;
        const waiting = current.filter((v) => v.readiness !== 'ready');
        return new NotYet(waiting.map((v) => `${v.service} ${describeState(v)}`).join('; '));
      },
    });
  } catch (error) {
    await composeUp.stop();
    if (error instanceof TimeoutError) throw await startTimeout(docker, views, timeoutMs);
    throw error;
  }
  await composeUp.result.catch(() => undefined);

  const elasticsearch = views.find((v) => v.service === 'elasticsearch');
  if (elasticsearch?.address) {
    say('putting the Elasticsearch index template for the pipeline’s timestamp fields');
    await (options.putIndexTemplate ?? ((url) => ensureTimestampTemplate(url, { clock })))(elasticsearch.address);
  }
  return { views, startedInMs: clock.now() - startedAt };
}

/** A service that exited or turned unhealthy: its state, the last lines of its log and what to do. */
export async function serviceFailure(
  docker: DockerCli,
  compose: ComposeFile,
  view: ServiceView,
): Promise<EnvironmentError> {
  const log = await docker.serviceLogTail(view.service);
  const healthcheck = findService(compose, view.service)?.hasHealthcheck ? 'running and healthy' : 'running';
  return new EnvironmentError(
    `service "${view.service}" (${view.label}): expected ${healthcheck}, found ${describeState(view)}\n` +
      `--- last lines of its log (npm run logs -- ${view.service}) ---\n${log}`,
    failureHint(view, log),
  );
}

export function failureHint(view: Pick<ServiceView, 'service' | 'exitCode'>, log: string): string {
  if (/vm\.max_map_count/.test(log)) {
    return 'raise the kernel setting Elasticsearch needs: sudo sysctl -w vm.max_map_count=262144 (add it to /etc/sysctl.conf to keep it), then npm run up';
  }
  if (view.exitCode === 137 || /OutOfMemoryError|out of memory/i.test(log)) {
    return `${view.service} ran out of memory or was killed: give Docker more memory (Docker Desktop: Settings → Resources), then npm run up`;
  }
  if (/address already in use|port is already allocated|Ports are not available/i.test(log)) {
    return 'a port the platform needs is taken: npm run preflight names it; stop that program, then npm run up';
  }
  return `npm run logs -- ${view.service} shows its whole log; fix what it says, then npm run up (npm run down -- --volumes starts from scratch)`;
}

/** `docker compose up` itself failed: name the service it names (a dependency that failed, a port taken). */
async function composeUpFailure(
  docker: DockerCli,
  compose: ComposeFile,
  result: DockerResult,
  timeoutMs: number,
): Promise<EnvironmentError> {
  const output = `${result.stderr}\n${result.stdout}`;
  // Docker Engine's words (libnetwork), and Docker Desktop's: "Ports are not available: exposing port TCP
  // 127.0.0.1:9092 -> 0.0.0.0:0: listen tcp 127.0.0.1:9092: bind: address already in use".
  const port =
    /(?:bind host port|Bind for) (?:[\d.]+:)?(\d+)(?:\/tcp)? failed|failed to bind host port [\d.]+:(\d+)|Ports are not available: exposing port (?:TCP|UDP) (?:[\d.]+:)?(\d+)/i.exec(
      output,
    );
  const portNumber = port?.[1] ?? port?.[2] ?? port?.[3];
  if (portNumber) {
    return new EnvironmentError(
      `the platform could not publish port ${portNumber} on 127.0.0.1: expected it free, found it taken (docker compose up said: ${lastLines(output, 1)})`,
      `stop the program that listens on ${portNumber} (find it with: lsof -nP -iTCP:${portNumber} -sTCP:LISTEN), then npm run up`,
    );
  }
  const container = new RegExp(
    `container ${compose.projectName}-([a-z0-9-]+?)-\\d+ (?:is unhealthy|exited \\((\\d+)\\))`,
  ).exec(output);
  if (container?.[1]) {
    const service = container[1];
    const state = (await docker.composePs()).find((c) => c.service === service);
    const view = serviceViews(compose, state ? [state] : []).find((v) => v.service === service);
    if (view) return serviceFailure(docker, compose, view);
  }
  return dockerFailure(result, 'docker compose up to start every service', timeoutMs);
}

async function startTimeout(docker: DockerCli, views: ServiceView[], timeoutMs: number): Promise<TimeoutError> {
  const waiting = views.filter((v) => v.readiness !== 'ready');
  // The first service not ready in the file's order is the one the others wait for.
  const first = waiting.find((v) => v.state !== 'not created') ?? waiting[0];
  const log = first
    ? `\n--- last lines of the log of ${first.service} ---\n${await docker.serviceLogTail(first.service)}`
    : '';
  return new TimeoutError(
    `the platform was not healthy within ${formatSeconds(timeoutMs)}: expected every service running and healthy, found ${waiting
      .map((v) => `${v.service} ${describeState(v)}`)
      .join('; ')}${log}`,
    `npm run status shows where each service stands; a slow laptop may need more time: npm run up -- --timeout ${Math.round((timeoutMs * 2) / 1000)}`,
  );
}

function downloadFailure(result: DockerResult, images: string[]): EnvironmentError {
  if (result.timedOut || /Cannot connect to the Docker daemon|permission denied/i.test(result.stderr)) {
    return dockerFailure(result, `the images ${images.join(', ')} to download`, downloadTimeoutMs);
  }
  return new EnvironmentError(
    `expected the images ${images.join(', ')} to download or build, but "${result.command}" failed (exit ${result.exitCode}):\n${indent(lastLines(`${result.stderr}\n${result.stdout}`, 15))}`,
    'check the network connection (a proxy or captive portal on conference Wi-Fi?), then run npm run up again; npm run prefetch downloads everything in advance',
  );
}

export function nextSteps(views: ServiceView[]): string {
  const kibana = views.find((v) => v.service === 'kibana')?.address;
  return [
    'Next:',
    '  - begin with step 1: steps/01-start-the-platform/guide.md',
    '  - after each step, check your work: npm run check step-1 (step-2, …)',
    ...(kibana ? [`  - Kibana, for the dashboard at the end: ${kibana}`] : []),
    '  - npm run status shows the services; npm run down stops them and keeps your work',
  ].join('\n');
}

export async function upCommand(
  { values: { timeout: timeoutSeconds, engine: chosen } }: CommandLine<{ timeout?: number; engine?: Engine }>,
  context: CommandEnvironment & { clock?: Clock } = {},
): Promise<number> {
  // The room's engine, chosen once: remembered for every later command (npm run status shows it).
  if (chosen) rememberEngine(chosen, context.env);
  const engine = chosen ?? currentEngine(context.env);
  if (engine !== 'ksqldb') progress(`engine: ${engineNames[engine]} (its services are started too)`);
  const { compose, docker } = platformOf(context, engine);
  const result = await up({
    docker,
    compose,
    startTimeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    clock: context.clock,
    portIsFree: context.portIsFree,
    hostArch: context.hostArch,
    onProgress: progress,
    onServiceReady: success,
  });
  success(`the platform is up: ${compose.services.length} services healthy in ${formatSeconds(result.startedInMs)}`);
  process.stdout.write(`${statusTable(result.views)}\n\n${nextSteps(result.views)}\n`);
  return ExitCode.ok;
}
