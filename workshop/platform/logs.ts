/**
 * `npm run logs -- <service>`: the last lines of one service's log, the first thing an instructor reads when a
 * learner's service is unhealthy. For a live view: docker compose logs --follow <service>.
 */
import { type CommandLine, type CommandSpec, parseCommand } from '#core/args.js';
import { ExitCode } from '#core/errors.js';
import { quickCallMs } from './docker.js';
import { type CommandEnvironment, platformOf } from './preflight.js';

/** Reads the command line with the platform's services named in every refusal, then runs logsCommand. */
export async function logsMain(spec: CommandSpec, args: string[], context: CommandEnvironment = {}): Promise<number> {
  const { compose } = platformOf(context);
  const usageNote = `; the services: ${[...compose.services, ...compose.profiled].map((s) => s.name).join(', ')}`;
  // The entry's spec gives --tail its default, so a value is always there.
  const line = parseCommand({ ...spec, usageNote }, args) as unknown as CommandLine<{ tail: number }>;
  return logsCommand(line, context);
}

export async function logsCommand(
  { values: { tail }, positionals, usageError }: CommandLine<{ tail: number }>,
  context: CommandEnvironment = {},
): Promise<number> {
  const { compose, docker } = platformOf(context);
  // A service in a profile (step 15's ksqldb-headless) too: Compose knows it only with its profile named.
  const profiled = compose.profiled.find((s) => s.name === positionals[0]);
  const names = [...compose.services, ...compose.profiled].map((s) => s.name);
  const usageNote = `; the services: ${names.join(', ')}`;
  const [service] = positionals;
  if (service === undefined || positionals.length > 1) {
    throw usageError(service === undefined ? 'which service?' : 'one service at a time', { usageNote });
  }
  if (!names.includes(service)) throw usageError(`the platform has no service "${service}"`, { usageNote });
  const stdout = await docker.expectComposeOk(
    [
      ...(profiled?.profiles.flatMap((p) => ['--profile', p]) ?? []),
      'logs',
      '--no-color',
      '--timestamps',
      '--tail',
      String(tail),
      service,
    ],
    quickCallMs,
    `the log of ${service}`,
  );
  process.stdout.write(stdout.endsWith('\n') || stdout === '' ? stdout : `${stdout}\n`);
  if (stdout.trim() === '') process.stderr.write(`${service} has no log yet: is the platform up? (npm run status)\n`);
  return ExitCode.ok;
}
