/**
 * `npm run logs -- <service>`: the last lines of one service's log, the first thing an instructor reads when a
 * learner's service is unhealthy. For a live view: docker compose logs --follow <service>.
 */
import { parseArgs } from 'node:util';
import { ExitCode, UsageError } from '#core/errors.js';
import { defaultComposePath, readComposeFile } from './compose-file.js';
import { DockerCli, quickCallMs } from './docker.js';
import type { CommandEnvironment } from './preflight.js';

export async function logsCommand(args: string[], context: CommandEnvironment = {}): Promise<number> {
  const composePath = context.composePath ?? defaultComposePath;
  const compose = readComposeFile(composePath);
  const names = compose.services.map((s) => s.name);
  const usage = `Usage: npm run logs -- <service> [--tail N]; the services: ${names.join(', ')}`;
  let service: string | undefined;
  let tail = 100;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { tail: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1)
      throw new Error(positionals.length === 0 ? 'which service?' : 'one service at a time');
    service = positionals[0];
    if (values.tail !== undefined) {
      tail = Number(values.tail);
      if (!Number.isInteger(tail) || tail < 1 || tail > 100_000)
        throw new Error(`--tail ${values.tail} is not a whole number from 1`);
    }
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. ${usage}`);
  }
  if (service === undefined || !names.includes(service)) {
    throw new UsageError(`the platform has no service "${service}". ${usage}`);
  }
  const docker = new DockerCli({ env: context.env, composeFile: composePath });
  const stdout = await docker.expectComposeOk(
    ['logs', '--no-color', '--timestamps', '--tail', String(tail), service],
    quickCallMs,
    `the log of ${service}`,
  );
  process.stdout.write(stdout.endsWith('\n') || stdout === '' ? stdout : `${stdout}\n`);
  if (stdout.trim() === '') process.stderr.write(`${service} has no log yet: is the platform up? (npm run status)\n`);
  return ExitCode.ok;
}
