/**
 * Runs a step's expectations in order. Each is looked at until it passes, fails, hits an environment error or its
 * deadline passes while "not yet". The first expectation that does not pass ends the step: what follows it depends
 * on it, and its message is the one to act on. A step marked independent runs all its expectations at once.
 */
import kafkajs from 'kafkajs';
import { ServiceAbsent, ServiceUnavailable } from '#checks/clients/services.js';
import { EnvironmentError, NotYetError } from '#core/errors.js';
import type { CheckContext, Expectation, RunnableStep } from './kind.js';
import { type ExpectationResult, type Observation, type StepResult, worst } from './types.js';

export interface RunOptions {
  /** Multiplies every deadline (tests shorten them; 0 means look once). */
  deadlineScale?: number;
  intervalMs?: number;
  /** Told of every look that is not final yet, for --watch and progress lines. */
  onNotYet?: (object: string, observation: Observation) => void;
}

function asEnvironment(error: unknown): EnvironmentError | undefined {
  if (error instanceof EnvironmentError) return error;
  // kafkajs is CommonJS and spreads its errors into its exports: Node's ESM loader sees them only on the default.
  if (error instanceof kafkajs.KafkaJSError) {
    return new EnvironmentError(`Kafka: ${error.message}`, 'check that Kafka is up: npm run status');
  }
  return undefined;
}

async function runExpectation(
  stepId: string,
  expectation: Expectation,
  context: CheckContext,
  options: RunOptions,
): Promise<ExpectationResult> {
  const scale = options.deadlineScale ?? 1;
  {
    const { kind, params } = expectation;
    const started = context.clock.now();
    const deadline = started + (expectation.deadlineMs ?? kind.deadlineFor?.(params) ?? kind.deadlineMs) * scale;
    const memory: Record<string, unknown> = {};
    const interval = options.intervalMs ?? 500;
    let pause = Math.min(100, interval);
    let observation: Observation;
    let unreachable: string | undefined;
    let absent: string | undefined;
    for (;;) {
      try {
        observation = await kind.observe(params, context, memory, { deadline, stepId });
      } catch (error) {
        const environment = asEnvironment(error);
        if (error instanceof NotYetError) {
          // A server in a passing state (ksqlDB rebalancing): looked at again until the deadline, then "not yet".
          observation = { outcome: 'not-yet', found: error.message, hint: error.hint };
        } else if (environment) {
          observation = { outcome: 'environment-error', found: environment.message, hint: environment.hint };
          unreachable = environment instanceof ServiceUnavailable ? environment.service : undefined;
          absent = environment instanceof ServiceAbsent ? environment.service : undefined;
        } else {
          throw error;
        }
      }
      if (observation.outcome !== 'not-yet') break;
      const now = context.clock.now();
      if (now >= deadline) {
        const waited = ((now - started) / 1000).toFixed(0);
        observation = {
          ...observation,
          outcome: observation.atDeadline ?? 'not-yet',
          found: `${observation.found} (after ${waited} s)`,
        };
        break;
      }
      options.onNotYet?.(kind.object(params), observation);
      // Soon after a first "not yet" (what a check waits for often comes within a moment), then every interval.
      await context.clock.sleep(Math.min(pause, deadline - now));
      pause = Math.min(pause * 2, interval);
    }
    return {
      kind: kind.kind,
      object: kind.object(params),
      outcome: observation.outcome,
      expected: kind.expected(params, context.config),
      found: observation.found,
      hint: observation.hint ?? expectation.hint,
      elapsedMs: context.clock.now() - started,
      ...(observation.outcome === 'environment-error' && unreachable ? { unreachable } : {}),
      ...(observation.outcome === 'environment-error' && absent ? { absent } : {}),
      ...(observation.warning ? { warning: observation.warning } : {}),
    };
  }
}

export async function runStep(
  step: RunnableStep,
  context: CheckContext,
  options: RunOptions = {},
): Promise<StepResult> {
  const expectations = step.expectations.filter((e) => !(context.passive && e.kind.probe));
  let results: ExpectationResult[] = [];
  if (step.independent) {
    // Independent looks (one per service, say) run at once, so a dead platform costs one timeout, not six.
    results = await Promise.all(expectations.map((e) => runExpectation(step.id, e, context, options)));
  } else {
    for (const expectation of expectations) {
      const result = await runExpectation(step.id, expectation, context, options);
      results.push(result);
      if (result.outcome !== 'pass') break;
    }
  }
  return {
    id: step.id,
    title: step.title,
    outcome: worst(results.map((r) => r.outcome)),
    expectations: results,
    next: `read ${step.guidePath}${step.checkSection ? ` (${step.checkSection})` : ''}, then run npm run check ${step.id}`,
  };
}
