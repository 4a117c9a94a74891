/**
 * The learners' platform's memory: each service's JVM heap (or Node heap) and container limit from
 * docker-compose.yml, and their sum against the issue's bound (at most 6 GB) and target (about 4 GB). Read from the
 * file, so it needs no Docker; what the containers really use under load is for a machine with Docker to measure.
 */
import { formatGiB, readComposeFile, totalMemoryLimitBytes } from '#workshop/platform/compose-file.js';
import { printTable } from './stack-bench.js';

export const memoryBoundBytes = 6 * 1024 ** 3;
export const memoryTargetBytes = 4 * 1024 ** 3;

/** The heap a service's environment sets: -Xmx of a JVM, or Node's --max-old-space-size (in MB). */
export function heapOf(environment: Record<string, string>): string {
  for (const value of Object.values(environment)) {
    const xmx = /-Xmx(\d+[kmgKMG]?)/.exec(value);
    if (xmx?.[1]) return xmx[1].toLowerCase();
    const node = /--max-old-space-size=(\d+)/.exec(value);
    if (node?.[1]) return `${node[1]}m`;
  }
  return '—';
}

export function benchComposeMemory(composePath?: string): { totalBytes: number } {
  const compose = readComposeFile(composePath);
  const rows = compose.services.map((service) => [
    service.name,
    service.image,
    heapOf(service.environment),
    service.memoryLimitSpec ?? 'none',
  ]);
  const totalBytes = totalMemoryLimitBytes(compose);
  printTable(
    'Learners’ platform (docker-compose.yml): heap and container memory limit of each service',
    ['service', 'image', 'heap', 'limit'],
    rows,
  );
  const verdict =
    totalBytes > memoryBoundBytes
      ? `over the bound of ${formatGiB(memoryBoundBytes)}`
      : totalBytes > memoryTargetBytes
        ? `within the bound of ${formatGiB(memoryBoundBytes)}, above the target of ${formatGiB(memoryTargetBytes)}`
        : `within the target of ${formatGiB(memoryTargetBytes)}`;
  process.stdout.write(
    `Sum of the memory limits: ${formatGiB(totalBytes)} (${Math.round(totalBytes / 1024 ** 2)} MiB), ${verdict}.\n`,
  );
  return { totalBytes };
}
