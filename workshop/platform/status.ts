/**
 * `npm run status`: each service of the platform with its state, health and local address. The same view of the
 * services serves `npm run up` while it waits.
 */
import type { CommandLine } from '#core/args.js';
import { currentEngine, engineNames, engineSource } from '#core/engine.js';
import { ExitCode } from '#core/errors.js';
import { formatTable } from '#core/output.js';
import type { ComposeFile } from './compose-file.js';
import type { ContainerState } from './docker.js';
import { type CommandEnvironment, platformOf } from './preflight.js';
import { serviceAddress, serviceLabel } from './services.js';

export type Readiness = 'ready' | 'waiting' | 'failed';

export interface ServiceView {
  service: string;
  label: string;
  /** running, exited, … or "not created" when the service has no container. */
  state: string;
  /** healthy, unhealthy, starting, or "" when unknown. */
  health: string;
  exitCode: number;
  readiness: Readiness;
  address: string;
}

/** One view per service of the compose file, in the file's order, whether or not it has a container. */
export function serviceViews(compose: ComposeFile, containers: ContainerState[]): ServiceView[] {
  return compose.services.map((service) => {
    const container = containers.find((c) => c.service === service.name);
    const published =
      container?.publishers.find((p) => p.publishedPort > 0 && p.url !== '::')?.publishedPort ??
      service.ports[0]?.hostPort;
    const state = container?.state ?? 'not created';
    const health = container?.health ?? '';
    return {
      service: service.name,
      label: serviceLabel(service.name),
      state,
      health,
      exitCode: container?.exitCode ?? 0,
      readiness: readinessOf(state, health, service.hasHealthcheck),
      address: serviceAddress(service.name, published),
    };
  });
}

export function readinessOf(state: string, health: string, hasHealthcheck: boolean): Readiness {
  if (state === 'exited' || state === 'dead' || health === 'unhealthy') return 'failed';
  if (state === 'running' && (health === 'healthy' || (!hasHealthcheck && health === ''))) return 'ready';
  return 'waiting';
}

/** "running, healthy", "exited (code 137)", "not created". */
export function describeState(view: Pick<ServiceView, 'state' | 'health' | 'exitCode'>): string {
  if (view.state === 'exited' || view.state === 'dead') return `${view.state} (code ${view.exitCode})`;
  return view.health ? `${view.state}, ${view.health}` : view.state;
}

export function statusTable(views: ServiceView[]): string {
  return formatTable(
    views.map((v) => [v.service, v.state, v.health || (v.state === 'running' ? '—' : ''), v.address]),
    { header: ['service', 'state', 'health', 'local address'], rule: true },
  );
}

export async function statusCommand(
  { values: { json } }: CommandLine<{ json: boolean }>,
  context: CommandEnvironment = {},
): Promise<number> {
  const { compose, docker } = platformOf(context);
  const views = serviceViews(compose, await docker.composePs());
  if (json) {
    process.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
    return ExitCode.ok;
  }
  process.stdout.write(`${statusTable(views)}\n`);
  const engine = currentEngine(context.env);
  process.stdout.write(
    `Engine: ${engineNames[engine]} (${engineSource(context.env)}; npm run up -- --engine ${engine === 'flink' ? 'ksqldb' : 'flink'} changes it)\n`,
  );
  const ready = views.filter((v) => v.readiness === 'ready').length;
  const notCreated = views.filter((v) => v.state === 'not created').length;
  if (notCreated === views.length) {
    process.stdout.write('The platform is not running: start it with npm run up\n');
  } else if (ready === views.length) {
    process.stdout.write(`All ${views.length} services are up.\n`);
  } else {
    const failed = views.filter((v) => v.readiness === 'failed').map((v) => v.service);
    process.stdout.write(
      `${ready} of ${views.length} services are up.${
        failed.length > 0 ? ` Failed: ${failed.join(', ')} — npm run logs -- ${failed[0]} shows why.` : ''
      } npm run up starts what is missing and waits for it.\n`,
    );
  }
  return ExitCode.ok;
}
