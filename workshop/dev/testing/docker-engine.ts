/**
 * Whether a Docker engine answers here. Docker-only suites skip with the reason in their title where none does;
 * WORKSHOP_TEST_DOCKER=required (the GitHub Actions workflow) turns that into a failure.
 */
import { spawnSync } from 'node:child_process';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { repoRoot } from '#workshop/platform/compose-file.js';

function probeEngine(): string | undefined {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) return `no docker command (${result.error.message})`;
  if (result.status !== 0) return `docker info failed: ${(result.stderr ?? '').trim().split('\n')[0]}`;
  return undefined;
}

/** Why Docker-only tests cannot run here, or undefined when an engine answers. */
export const dockerSkipReason: string | undefined = probeEngine();

if (dockerSkipReason && process.env.WORKSHOP_TEST_DOCKER === 'required') {
  throw new Error(`WORKSHOP_TEST_DOCKER=required, but there is no Docker engine: ${dockerSkipReason}`);
}

export const dockerTitle = (name: string) => (dockerSkipReason ? `${name} [skipped: ${dockerSkipReason}]` : name);

const minutes = (n: number) => n * 60_000;
/** Long enough to build the Connect image and pull every other one on a hosted runner. */
export const composeUpTimeoutMs = minutes(25);

/**
 * The learners' docker-compose.yml, up under testcontainers the way `npm run up` brings it up: the Connect image
 * built, and every service waited for until its own healthcheck passes.
 */
export async function startComposePlatform(): Promise<StartedDockerComposeEnvironment> {
  return new DockerComposeEnvironment(repoRoot, 'docker-compose.yml')
    .withBuild()
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(minutes(10))
    .up();
}

/** Stops it and removes its volumes, so the next run starts from the seed again. */
export async function stopComposePlatform(environment: StartedDockerComposeEnvironment | undefined): Promise<void> {
  await environment?.down({ removeVolumes: true, timeout: 60_000 });
}
