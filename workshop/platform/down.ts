/**
 * `npm run down`: stops the platform and keeps its data (topics, MySQL rows, indexes, dashboards), so the next
 * `npm run up` continues where the learner left off. `npm run down -- --volumes` also removes the data, after
 * saying what goes.
 */
import { loadCourse } from '#checks/course.js';
import { stopProducerProcess } from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { ExitCode } from '#core/errors.js';
import { progress, success } from '#core/output.js';
import { type CommandEnvironment, platformOf } from './preflight.js';

/** Stopping the JVMs and databases cleanly takes a while; compose gives each 10 s before killing it. */
export const downTimeoutMs = 3 * 60_000;

export async function downCommand(
  { values: { volumes } }: CommandLine<{ volumes: boolean }>,
  context: CommandEnvironment = {},
): Promise<number> {
  const { compose, docker } = platformOf(context);
  // A producer that solve started would otherwise keep retrying against a broker that is gone.
  for (const step of loadCourse()) {
    for (const resource of step.solution) {
      if (resource.kind !== 'background-producer' && resource.kind !== 'background-consumer') continue;
      for (const line of await stopProducerProcess(
        resource.name,
        resource.kind === 'background-consumer' ? 'app' : 'producer',
      ))
        progress(line);
    }
  }
  if (volumes) {
    const names = compose.namedVolumes.map((volume) => `${compose.projectName}_${volume}`);
    progress(
      `--volumes: removing the platform's data as well — Kafka topics, MySQL rows, Elasticsearch indexes and Kibana objects (volumes ${names.join(', ')}); the next npm run up starts from the seed data`,
    );
  } else {
    progress('stopping the platform; its data stays for the next npm run up (npm run down -- --volumes removes it)');
  }
  await docker.expectComposeOk(
    // Every profile named, so that a service started by one (step 15's headless ksqlDB) stops too.
    [
      ...[...new Set(compose.profiled.flatMap((s) => s.profiles))].flatMap((p) => ['--profile', p]),
      'down',
      '--remove-orphans',
      ...(volumes ? ['--volumes'] : []),
    ],
    downTimeoutMs,
    volumes ? 'the platform to stop and its volumes to be removed' : 'the platform to stop',
  );
  success(volumes ? 'the platform is stopped and its data removed' : 'the platform is stopped; its data is kept');
  return ExitCode.ok;
}
