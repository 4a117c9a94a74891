/**
 * `npm run reset [step-N]`: removes what steps N and later created (connectors with their offsets and topics,
 * background producers and their topics), latest step first. Without a step: back to a clean start. It lists what
 * it will remove before removing it.
 */
import { parseArgs } from 'node:util';
import { loadCourse, selectStep } from '../checks/course.js';
import { describeRemoval, removeResource } from '../checks/resources.js';
import { Services } from '../checks/services.js';
import { loadConfig } from './config.js';
import { ExitCode, UsageError } from './errors.js';

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
  const steps = course.filter((s) => s.number >= from.number).reverse();
  const resources = steps.flatMap((step) => step.solution.map((resource) => ({ step, resource })));
  if (resources.length === 0) {
    process.stdout.write(`Nothing to remove: ${from.id} and later steps create nothing the kit tracks.\n`);
    return ExitCode.ok;
  }
  process.stdout.write(`Removing what ${from.id}${steps.length > 1 ? ' and later steps' : ''} created:\n`);
  for (const { step, resource } of resources) process.stdout.write(`  - ${step.id}: ${describeRemoval(resource)}\n`);
  const services = new Services(loadConfig());
  let removed = 0;
  for (const { resource } of resources) {
    for (const line of await removeResource(services, resource)) {
      process.stdout.write(`  ✓ ${line}\n`);
      removed++;
    }
  }
  process.stdout.write(removed === 0 ? 'Nothing was there to remove.\n' : `Done: ${removed} removed.\n`);
  return ExitCode.ok;
}
