/**
 * `npm run rehearse`: the instructor's run-through the night before, and the kit's end-to-end test. On the running
 * platform (whatever WORKSHOP_* names): a clean start, then for each step its check must fail, solve applies its
 * solution, and its check must pass; then a clean start again. Prints a table of the time each step took to pass,
 * and stops at the first surprise with the check's own report.
 */
import { ServiceAbsent, Services } from '#checks/clients/services.js';
import { ksqlDbOnlyIn, loadCourse, type Step, selectStep } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import type { CheckContext } from '#checks/kind.js';
import { formatStep } from '#checks/report.js';
import { applyResource, serviceOf } from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { currentEngine, type Engine } from '#core/engine.js';
import { ExitCode } from '#core/errors.js';
import { formatTable, progress } from '#core/output.js';
import { formatSeconds, systemClock } from '#core/wait.js';
import { exitCodeFor } from './check.js';
import { resetFrom } from './reset.js';

/** Checks after solve may wait for records to arrive and for a window to close: this many times their deadline. */
const afterSolveScale = 6;

interface Row {
  step: Step;
  before: string;
  solveMs: number;
  passMs: number;
}

export async function rehearseCommand({
  values,
}: CommandLine<{ to?: string; keep: boolean; guides: boolean; engine?: Engine }>): Promise<number> {
  // The whole rehearsal (its reset, its solves, the commands a guide runs) on this engine.
  if (values.engine) process.env.WORKSHOP_ENGINE = values.engine;
  const engine = currentEngine();
  const course = loadCourse(undefined, engine);
  // In a room on another engine than ksqlDB, the optional steps that exist only in ksqlDB build on ksqlDB's objects
  // of steps 4-7, which that room does not make: they are left out, and the rehearsal ends with the last step the
  // engine has, unless told where.
  const last = values.to
    ? selectStep(course, values.to)
    : ([...course].reverse().find((s) => !ksqlDbOnlyIn(engine, s)) ?? course[course.length - 1]);
  if (!last) return ExitCode.ok;
  const steps = course.filter((s) => s.number <= last.number);
  const notHereToo = (s: Step) => s !== last && ksqlDbOnlyIn(engine, s);
  if (values.guides) {
    return (await import('./walkthrough.js')).walkGuides({
      steps: steps.filter((s) => !notHereToo(s)),
      keep: values.keep,
    });
  }
  const config = loadConfig();
  const context = (): CheckContext => ({ config, services: new Services(config), passive: false, clock: systemClock });
  const started = systemClock.now();

  progress('rehearsal: a clean start first (npm run reset)');
  const reset = await resetFrom(undefined);
  if (reset !== ExitCode.ok) return reset;

  const rows: Row[] = [];
  /** A step left out because its service is absent: every later step builds on it (or on what it builds on). */
  let leftOut: Step | undefined;
  for (const step of steps) {
    if (notHereToo(step)) {
      rows.push({ step, before: `left out (ksqlDB only: it builds on ksqlDB's objects)`, solveMs: 0, passMs: 0 });
      continue;
    }
    progress(`rehearsal: ${step.id}  ${step.title}`);
    if (leftOut) {
      rows.push({ step, before: `left out (builds on ${leftOut.id})`, solveMs: 0, passMs: 0 });
      continue;
    }
    // A step whose objects live in a service this platform does not run (WORKSHOP_KSQLDB_URL=none) is left out.
    const notHere = step.solution.map(serviceOf).find((s) => s !== undefined && config.absent.includes(s));
    if (notHere) {
      progress(`rehearsal: ${step.id} is left out: ${new ServiceAbsent(notHere).message}`);
      rows.push({ step, before: `left out (${notHere} is not part of this platform)`, solveMs: 0, passMs: 0 });
      if (!step.optional) leftOut = step;
      continue;
    }
    let before = 'not checked: solve cannot do it';
    if (step.solution.length > 0) {
      // Unsolved, the check must not pass: one look, no waiting.
      const unsolved = await runStep(step, context(), { deadlineScale: 0 });
      // An optional step whose service is not there at all (a platform without a Schema Registry) is left out, saying
      // why. Only a service that cannot be reached counts as absent: one answering "starting" stops the rehearsal as
      // for any step, and the steps before have already proved every other service there.
      const absent = unsolved.expectations.find((e) => e.absent !== undefined || e.unreachable !== undefined);
      if (unsolved.outcome === 'environment-error' && (step.optional || absent?.absent) && absent) {
        const why = absent.found;
        progress(`rehearsal: ${step.id} is left out: ${why}`);
        rows.push({
          step,
          before: absent.absent ? `left out (${why})` : 'left out (optional; its service is absent)',
          solveMs: 0,
          passMs: 0,
        });
        if (!step.optional) leftOut = step;
        continue;
      }
      if (unsolved.outcome === 'pass' || unsolved.outcome === 'environment-error') {
        process.stdout.write(`${formatStep(unsolved)}\n`);
        process.stderr.write(
          unsolved.outcome === 'pass'
            ? `Rehearsal stopped: ${step.id} passes before it is solved, so its check proves nothing.\n`
            : `Rehearsal stopped: the platform is not ready for ${step.id}.\n`,
        );
        return unsolved.outcome === 'pass' ? ExitCode.failure : ExitCode.environment;
      }
      before = unsolved.outcome === 'fail' ? 'fails' : 'not yet';
    }
    const solveStarted = systemClock.now();
    const services = new Services(config);
    for (const resource of step.solution) {
      for (const line of await applyResource(services, resource, step, 'npm run rehearse')) {
        process.stdout.write(`  ${line}\n`);
      }
    }
    const solveMs = systemClock.now() - solveStarted;
    const checkStarted = systemClock.now();
    const solved = await runStep(step, context(), { deadlineScale: afterSolveScale });
    // A step that only looks at services (step 1) passes on this platform when all it misses is a service the
    // platform does not run: the row says which.
    const missing = solved.expectations.filter((e) => e.outcome !== 'pass');
    if (solved.outcome !== 'pass' && missing.every((e) => e.absent !== undefined)) {
      before = `${before}; without ${[...new Set(missing.map((e) => e.absent))].join(' and ')} (not part of this platform)`;
    } else if (solved.outcome !== 'pass') {
      process.stdout.write(`${formatStep(solved)}\n`);
      process.stderr.write(`Rehearsal stopped: ${step.id} does not pass after solve.\n`);
      return exitCodeFor(solved.outcome);
    }
    rows.push({ step, before, solveMs, passMs: systemClock.now() - checkStarted });
  }

  process.stdout.write(`\n${formatRehearsal(rows, systemClock.now() - started)}\n`);
  if (!values.keep) {
    progress('rehearsal: back to a clean start (npm run reset); --keep leaves the solved pipeline running');
    const after = await resetFrom(undefined);
    if (after !== ExitCode.ok) return after;
  }
  return ExitCode.ok;
}

export function formatRehearsal(rows: Row[], totalMs: number): string {
  const table = formatTable(
    rows.map((r) => [r.step.id, r.step.title, r.before, formatSeconds(r.solveMs), formatSeconds(r.passMs)]),
    { header: ['step', 'title', 'unsolved', 'solve', 'to pass'] },
  );
  return `${table}\nRehearsal passed: ${rows.length} step(s) in ${formatSeconds(totalMs)}.`;
}
