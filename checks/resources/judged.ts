/**
 * What solve asks before it replaces something a step made: do the step's own checks of it find nothing wrong, looking
 * once? Shared by the resource kinds whose objects a check judges by name (ksqlDB's streams and tables, Flink's tables
 * and jobs).
 */
import type { Services } from '#checks/clients/services.js';
import { runStep } from '#checks/engine.js';
import { EnvironmentError } from '#core/errors.js';
import { systemClock } from '#core/wait.js';
import type { StepOfResource } from './resource.js';

/**
 * True when the checks judging `name` find nothing wrong (one that is still converging, "not yet", counts as right:
 * it is left to finish), false when one fails, undefined when no check judges it. A service that does not answer is
 * an environment error, named as `service`.
 */
export async function judgedRight(
  services: Services,
  step: StepOfResource,
  name: string,
  service: string,
): Promise<boolean | undefined> {
  const expectations = step.expectations.filter((e) => e.kind.judges?.(e.params) === name);
  if (expectations.length === 0) return undefined;
  const result = await runStep(
    { ...step, expectations, independent: false },
    { config: services.config, services, passive: true, clock: systemClock },
    { deadlineScale: 0 },
  );
  if (result.outcome === 'environment-error') {
    const first = result.expectations.find((e) => e.outcome === 'environment-error');
    throw new EnvironmentError(first?.found ?? `${service} is not ready`, first?.hint);
  }
  return result.outcome !== 'fail';
}
