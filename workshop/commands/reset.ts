/**
 * `npm run reset [step-N]`: removes what steps N and later created (connectors with their offsets and topics,
 * background producers and their topics), latest step first. Without a step: back to a clean start. It lists what
 * it will remove before removing it.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Services } from '#checks/clients/services.js';
import { loadCourse, selectStep } from '#checks/course.js';
import { describeRemoval, removeEverythingElse, removeResource } from '#checks/resources/index.js';
import { loadConfig } from '#core/config.js';
import { ExitCode, UsageError } from '#core/errors.js';
import { stateDir } from '#core/state-dir.js';

const usage = 'npm run reset [step-N]';

export async function resetCommand(args: string[]): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: ${usage}`);
  }
  if (positionals.length > 1) throw new UsageError(`reset takes one step at most. Usage: ${usage}`);
  const course = loadCourse();
  const from = positionals[0] === undefined ? course[0] : selectStep(course, positionals[0]);
  if (!from) return ExitCode.ok;
  const everything = positionals[0] === undefined;
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
