/**
 * `npm run solve step-N`: catch up. Applies the reference solutions of steps 1..N, creating what is missing and
 * leaving what is already right, then checks step N.
 */
import { Services } from '#checks/clients/services.js';
import { ksqlDbOnlyIn, loadCourse, selectStep } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { formatStep } from '#checks/report.js';
import { applyResource } from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { currentEngine, engineNames } from '#core/engine.js';
import { systemClock } from '#core/wait.js';
import { exitCodeFor } from './check.js';

export async function solveCommand({ positionals, usageError }: CommandLine<unknown>): Promise<number> {
  const engine = currentEngine();
  const course = loadCourse(undefined, engine);
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw usageError('solve needs exactly one step', {
      usageNote: `\nThe steps are:\n${course.map((s) => `  ${s.id}  ${s.title}`).join('\n')}`,
    });
  }
  const target = selectStep(course, positionals[0]);
  const config = loadConfig();
  const services = new Services(config, undefined, true);
  for (const step of course.filter((s) => s.number <= target.number)) {
    process.stdout.write(`${step.id}  ${step.title}\n`);
    if (step !== target && ksqlDbOnlyIn(engine, step)) {
      process.stdout.write(
        `  left out: a ksqlDB step, and nothing after it in a ${engineNames[engine]} room builds on it\n`,
      );
      continue;
    }
    if (step.solution.length === 0)
      process.stdout.write(`  nothing to apply${step.solveNote ? `: ${step.solveNote}` : ''}\n`);
    for (const resource of step.solution) {
      for (const line of await applyResource(services, resource, step, `npm run solve ${target.id}`)) {
        process.stdout.write(`  ${line}\n`);
      }
    }
  }
  process.stdout.write('\nChecking the result:\n');
  const result = await runStep(target, {
    config,
    services: new Services(config, undefined, true),
    passive: false,
    clock: systemClock,
  });
  process.stdout.write(`${formatStep(result)}\n`);
  if (result.outcome === 'not-yet') {
    // Everything is in place and nothing is wrong: what it waits for has not happened yet (a window to close).
    const waiting = result.expectations.find((e) => e.outcome === 'not-yet');
    process.stdout.write(
      `\nEverything of ${target.id === course[0]?.id ? target.id : `steps 1 to ${target.number}`} is applied, and nothing is wrong: ${waiting ? `${waiting.object}: ${waiting.found}` : 'the check is still waiting'}. Run npm run check ${target.id} again once that has happened; it will pass.\n`,
    );
  }
  return exitCodeFor(result.outcome);
}
