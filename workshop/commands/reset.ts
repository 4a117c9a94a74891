/**
 * `npm run reset [step-N]`: removes what steps N and later created (connectors with their offsets and topics,
 * background producers and their topics), latest step first. Without a step: back to a clean start. It lists what
 * it will remove before removing it.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ServiceAbsent, Services, ServiceUnavailable } from '#checks/clients/services.js';
import { loadCourse, type Resource, selectStep } from '#checks/course.js';
import {
  describeRemoval,
  type NotRemoved,
  type Removal,
  removeEverythingElse,
  removeResource,
  serviceOf,
} from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { currentEngine } from '#core/engine.js';
import { ExitCode } from '#core/errors.js';
import { stateDir } from '#core/state-dir.js';

export async function resetCommand({ positionals }: CommandLine<unknown>): Promise<number> {
  return resetFrom(positionals[0]);
}

/** Removes what `step` and later steps created; without a step, everything (back to a clean start). */
export async function resetFrom(step: string | undefined): Promise<number> {
  const course = loadCourse(undefined, currentEngine());
  const from = step === undefined ? course[0] : selectStep(course, step);
  if (!from) return ExitCode.ok;
  const everything = step === undefined;
  const again = everything ? 'npm run reset' : `npm run reset ${from.id}`;
  const steps = course.filter((s) => s.number >= from.number).reverse();
  // Last made, first removed: a step's sink connector goes before the indexes it writes.
  const resources = steps.flatMap((step) => [...step.solution].reverse().map((resource) => ({ step, resource })));
  const services = new Services(loadConfig(), undefined, true);
  // A service this platform does not run holds nothing to remove: its resources are left out, saying so once.
  const absent = (resource: Resource) => {
    const service = serviceOf(resource);
    return service !== undefined && services.isAbsent(service);
  };
  const present = resources.filter(({ resource }) => !absent(resource));
  const leftOut = [...new Set(resources.flatMap(({ resource }) => (absent(resource) ? [serviceOf(resource)] : [])))];
  process.stdout.write(
    everything
      ? 'Back to a clean start: removing what the steps created, every other connector and topic of yours, and your progress:\n'
      : `Removing what ${from.id}${steps.length > 1 ? ' and later steps' : ''} created:\n`,
  );
  for (const { step, resource } of present) process.stdout.write(`  - ${step.id}: ${describeRemoval(resource)}\n`);
  if (everything) process.stdout.write('  - any other connector and topic (the platform’s own internal topics stay)\n');
  for (const service of leftOut) {
    if (service) process.stdout.write(`  (nothing in ${service}: ${new ServiceAbsent(service).message})\n`);
  }
  let removed = 0;
  const report = (line: string) => {
    process.stdout.write(`  ✓ ${line}\n`);
    removed++;
  };
  // A service that is part of the platform but cannot be reached stops only what lives in it: the rest is removed,
  // then reset says what it left and exits 3, never a silent half-success.
  const notRemoved: NotRemoved[] = [];
  for (const { step, resource } of present) {
    let lines: Removal[];
    try {
      lines = await removeResource(services, resource);
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      notRemoved.push({ what: `${step.id}: ${describeRemoval(resource)}`, failure: error });
      continue;
    }
    for (const line of lines) {
      if (typeof line === 'string') report(line);
      else process.stdout.write(`  ! ${line.warning}; ${line.again ?? 'once it is stopped'}, run ${again} again\n`);
    }
  }
  if (everything) {
    const rest = await removeEverythingElse(services);
    for (const line of rest.done) report(line);
    notRemoved.push(...rest.notRemoved);
    if (existsSync(path.join(stateDir(), 'progress.json'))) {
      rmSync(path.join(stateDir(), 'progress.json'));
      report('progress cleared');
    }
  }
  process.stdout.write(removed === 0 ? 'Nothing was there to remove.\n' : `Done: ${removed} removed.\n`);
  if (notRemoved.length === 0) return ExitCode.ok;
  const unreachable = [...new Set(notRemoved.map((n) => n.failure.service))];
  process.stderr.write(
    [
      `Not removed, because ${unreachable.join(' and ')} could not be reached:`,
      ...notRemoved.map((n) => `  ✗ ${n.what} (${n.failure.message})`),
      `Once npm run status shows ${unreachable.join(' and ')} healthy, run ${again} again to finish.`,
      '',
    ].join('\n'),
  );
  return ExitCode.environment;
}
