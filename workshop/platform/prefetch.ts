/**
 * `npm run prefetch`, for instructors before the day: downloads every image the platform uses and builds the Kafka
 * Connect image (with its connector plugins), then reports what is on the machine and the total size. Afterwards
 * `npm run up` needs no network.
 */
import type { CommandLine } from '#core/args.js';
import { EnvironmentError, ExitCode } from '#core/errors.js';
import { formatTable, progress, success } from '#core/output.js';
import { formatGiB, requiredImages } from './compose-file.js';
import { dockerFailure, indent, lastLines } from './docker.js';
import { type CommandEnvironment, platformOf } from './preflight.js';
import { buildTimeoutMs, downloadTimeoutMs } from './up.js';

export async function prefetchCommand(_line: CommandLine<unknown>, context: CommandEnvironment = {}): Promise<number> {
  const { compose, docker } = platformOf(context);
  await docker.engineInfo();
  await docker.composeVersion();

  const images = requiredImages(compose);
  const pulled = images.filter((i) => !i.built);
  progress(`downloading ${pulled.length} images (about 4 GB the first time)`);
  const pull = await docker.compose(['pull', '--ignore-buildable'], downloadTimeoutMs);
  if (pull.exitCode !== 0) {
    if (pull.timedOut) throw dockerFailure(pull, 'the images to download', downloadTimeoutMs);
    throw new EnvironmentError(
      `expected every image to download, but "${pull.command}" failed (exit ${pull.exitCode}):\n${indent(lastLines(`${pull.stderr}\n${pull.stdout}`, 15))}`,
      'check the network connection, then run npm run prefetch again',
    );
  }
  const built = images.filter((i) => i.built);
  if (built.length > 0) {
    progress(`building ${built.map((i) => i.image).join(', ')} with its connector plugins`);
    const build = await docker.compose(['build', ...built.flatMap((i) => i.services)], buildTimeoutMs);
    if (build.exitCode !== 0) {
      if (build.timedOut) throw dockerFailure(build, 'the Kafka Connect image to build', buildTimeoutMs);
      throw new EnvironmentError(
        `expected ${built.map((i) => i.image).join(', ')} to build, but "${build.command}" failed (exit ${build.exitCode}):\n${indent(lastLines(`${build.stderr}\n${build.stdout}`, 15))}`,
        'check the network connection (the build downloads the connector plugins), then run npm run prefetch again',
      );
    }
  }

  const rows: string[][] = [];
  let total = 0;
  const missing: string[] = [];
  for (const image of images) {
    const size = await docker.imageSize(image.image);
    if (size === undefined) missing.push(image.image);
    total += size ?? 0;
    rows.push([image.services.join(', '), image.image, size === undefined ? 'missing' : formatMiB(size)]);
  }
  process.stdout.write(`${formatTable(rows, { header: ['service', 'image', 'size'], rule: true })}\n`);
  process.stdout.write(`Total: ${formatGiB(total)} in ${images.length} images.\n`);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `expected every image on this machine after the download, found ${missing.join(', ')} missing`,
      'run npm run prefetch again; if it persists, docker compose pull shows the error',
    );
  }
  success('every image is on this machine: npm run up works offline from now on');
  return ExitCode.ok;
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}
