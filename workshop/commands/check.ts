/**
 * `npm run check [step-N] [-- --json] [-- --watch] [-- --passive]`: whether a step of the pipeline really works,
 * and if not, what to fix. Without a step: every step in order, as a progress table.
 */
import { Services } from '#checks/clients/services.js';
import { loadCourse, loadNamedStep, type Step } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import type { CheckContext } from '#checks/kind.js';
import { readProgress, recordPass } from '#checks/progress.js';
import { formatProgressTable, formatStep } from '#checks/report.js';
import type { Outcome, StepResult } from '#checks/types.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { currentEngine } from '#core/engine.js';
import { ExitCode, UsageError } from '#core/errors.js';
import { systemClock } from '#core/wait.js';
import { reportToRoom } from '#workshop/room/reporter.js';

const watchIntervalMs = 2_000;
const watchLimitMs = 60 * 60_000;

export function exitCodeFor(outcome: Outcome): number {
  return {
    pass: ExitCode.ok,
    fail: ExitCode.failure,
    'environment-error': ExitCode.environment,
    'not-yet': ExitCode.notYet,
  }[outcome];
}

export async function checkCommand({
  values,
  positionals,
}: CommandLine<{ json: boolean; watch: boolean; passive: boolean }>): Promise<number> {
  if (values.watch && values.json) throw new UsageError('--watch and --json do not go together: pick one');
  if (values.watch && positionals.length === 0) {
    throw new UsageError('--watch needs a step to watch: npm run check step-N -- --watch');
  }
  const chosen = positionals[0] === undefined ? undefined : loadNamedStep(positionals[0], undefined, currentEngine());
  const config = loadConfig();
  const context = (): CheckContext => ({
    config,
    services: new Services(config, undefined, true),
    passive: values.passive,
    clock: systemClock,
  });
  const skippedProbes = (step: Step) => (values.passive ? step.expectations.filter((e) => e.kind.probe).length : 0);
  const save = (result: StepResult) => {
    if (result.outcome === 'pass') recordPass(result.id, new Date());
  };

  if (chosen && values.watch) {
    let last = '';
    // Polls until the step passes, Ctrl-C, or the limit: a watch left running over lunch ends by itself.
    const until = systemClock.now() + watchLimitMs;
    for (;;) {
      const look = context();
      const result = await runStep(chosen, look, { deadlineScale: 0.5 });
      // A fresh connection each round: Kafka may have restarted in between.
      await look.services.close();
      save(result);
      reportToRoom(result);
      const text = formatStep(result, skippedProbes(chosen));
      // Print when something changed, not when only a timing did.
      const comparable = text.replace(/\d+(\.\d+)? (ms|s)\b/g, '');
      if (comparable !== last) {
        // One write: a reader of the output (a test, a pipe) never sees the report without its last line.
        const watching =
          result.outcome === 'pass'
            ? ''
            : `  (watching: re-checking every ${watchIntervalMs / 1000} s; Ctrl-C to stop)\n`;
        process.stdout.write(`${text}\n${watching}`);
        last = comparable;
      }
      if (result.outcome === 'pass') return ExitCode.ok;
      if (systemClock.now() + watchIntervalMs > until) {
        process.stdout.write(
          `Stopped watching after ${watchLimitMs / 60_000} minutes without a pass: when you have changed something, run npm run check ${chosen.id} -- --watch again.\n`,
        );
        return ExitCode.notYet;
      }
      await systemClock.sleep(watchIntervalMs);
    }
  }

  if (chosen) {
    const result = await runStep(chosen, context());
    save(result);
    reportToRoom(result);
    process.stdout.write(
      values.json ? `${JSON.stringify([result], null, 2)}\n` : `${formatStep(result, skippedProbes(chosen))}\n`,
    );
    return exitCodeFor(result.outcome);
  }

  // Every step in order, until one does not pass: the steps after it build on it.
  const results: StepResult[] = [];
  const shared = context();
  const course = loadCourse(undefined, currentEngine());
  for (const step of course) {
    const result = await runStep(step, shared);
    save(result);
    results.push(result);
    if (result.outcome !== 'pass') break;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const result of results) process.stdout.write(`${formatStep(result)}\n`);
    const rows = course.map((step) => ({
      id: step.id,
      title: step.title,
      outcome: results.find((r) => r.id === step.id)?.outcome,
    }));
    process.stdout.write(`\n${formatProgressTable(rows, readProgress())}\n`);
  }
  const last = results[results.length - 1];
  // The room hears where the learner stands: the first step that does not pass (or the last one).
  if (last) reportToRoom(last);
  return last ? exitCodeFor(last.outcome) : ExitCode.ok;
}
