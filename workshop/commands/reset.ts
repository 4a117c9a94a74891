/**
 * `npm run reset [step-N]`: removes what steps N and later created (connectors with their offsets and topics,
 * background producers and their topics), latest step first. Without a step: back to a clean start. It lists what
 * it will remove before removing it.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Services } from '#checks/clients/services.js';
import { loadCourse, selectStep } from '#checks/course.js';
import { describeRemoval, removeEverythingElse, removeResource } from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { stateDir } from '#core/state-dir.js';

export async function resetCommand({ positionals }: CommandLine<unknown>): Promise<number> {
  return resetFrom(positionals[0]);
}

/** Removes what `step` and later steps created; without a step, everything (back to a clean start). */
export async function resetFrom(step: string | undefined): Promise<number> {
  const course = loadCourse();
  const from = step === undefined ? course[0] : selectStep(course, step);
  if (!from) return ExitCode.ok;
  const everything = step === undefined;
  const again = everything ? 'npm run reset' : `npm run reset ${from.id}`;
  const steps = course.filter((s) => s.number >= from.number).reverse();
  // Last made, first removed: a step's sink connector goes before the indexes it writes.
  const resources = steps.flatMap((step) => [...step.solution].reverse().map((resource) => ({ step, resource })));
  const services = new Services(loadConfig(), undefined, true);
  process.stdout.write(
    everything
      ? 'Back to a clean start: removing what the steps created, every other connector and topic of yours, and your progress:\n'
      : `Removing what ${from.id}${steps.length > 1 ? ' and later steps' : ''} created:\n`,
  );
  for (const { step, resource } of resources) process.stdout.write(`  - ${step.id}: ${describeRemoval(resource)}\n`);
  if (everything) process.stdout.write('  - any other connector and topic (the platform’s own internal topics stay)\n');
  let removed = 0;
  const report = (line: string) => {
    process.stdout.write(`  ✓ ${line}\n`);
    removed++;
  };
  for (const { resource } of resources) {
    for (const line of await removeResource(services, resource)) {
      if (typeof line === 'string') report(line);
      else process.stdout.write(`  ! ${line.warning}; ${line.again ?? 'once it is stopped'}, run ${again} again\n`);
    }
  }
  if (everything) {
    for (const line of await removeEverythingElse(services)) report(line);
    if (existsSync(path.join(stateDir(), 'progress.json'))) {
      rmSync(path.join(stateDir(), 'progress.json'));
      report('progress cleared');
    }
  }
  process.stdout.write(removed === 0 ? 'Nothing was there to remove.\n' : `Done: ${removed} removed.\n`);
  return ExitCode.ok;
}
