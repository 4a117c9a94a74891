/**
 * Whether a Docker engine answers here. Docker-only suites skip with the reason in their title where none does;
 * WORKSHOP_TEST_DOCKER=required (the GitHub Actions workflow) turns that into a failure.
 */
import { spawnSync } from 'node:child_process';

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
