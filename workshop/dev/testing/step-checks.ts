/**
 * What the steps' integration suites share: a step of the course by id, the verdict of a check as a test compares it
 * (the first expectation that did not pass), and waiting until a check reaches the verdict a test expects.
 */
import { loadCourse, type Step } from '#checks/course.js';
import type { StepResult } from '#checks/types.js';
import { NotYet, waitFor } from '#core/wait.js';

const course = loadCourse();

export function courseStep(id: string): Step {
  const found = course.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

/** The expectation that decided the step: the first that did not pass. */
export function verdict(result: StepResult) {
  const decisive = result.expectations.find((e) => e.outcome !== 'pass') ?? result.expectations.at(-1);
  return { outcome: result.outcome, object: decisive?.object, found: decisive?.found, hint: decisive?.hint };
}

/** Checks again until the result is as wanted (records take a moment to flow through a new query or connector). */
export function checkUntil(
  what: string,
  check: () => Promise<StepResult>,
  wanted: (r: StepResult) => boolean,
  timeoutMs = 90_000,
): Promise<StepResult> {
  return waitFor({
    what: `${what} to reach the expected verdict`,
    timeoutMs,
    intervalMs: 2_000,
    probe: async () => {
      const result = await check();
      return wanted(result) ? result : new NotYet(JSON.stringify(verdict(result)));
    },
  });
}
