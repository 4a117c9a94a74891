/**
 * What a check produces. Results are data: the terminal reporter and --json print the same objects.
 */

/**
 * pass: the expectation holds.
 * not-yet: converging (records still arriving, a task starting); retried until the expectation's deadline.
 * fail: the learner's work is wrong.
 * environment-error: a service is unreachable, still starting or timed out; never the learner's mistake.
 */
export type Outcome = 'pass' | 'not-yet' | 'fail' | 'environment-error';

/** One look at an expectation. */
export interface Observation {
  outcome: Outcome;
  /** What was found: "FAILED (task 0: Access denied for user 'debezium')". */
  found: string;
  /** Overrides the expectation's own hint when the observation knows better. */
  hint?: string;
  /** For not-yet: the verdict if the deadline passes in this state (default: it stays not-yet). */
  atDeadline?: 'fail' | 'environment-error';
  /**
   * Something the check saw that does not decide the outcome but the learner should know, with what to do (two
   * producers writing one topic): printed under the result, kept in --json.
   */
  warning?: string;
}

export interface ExpectationResult {
  kind: string;
  /** The object looked at: `topic "ratings"`, `connector "customers-cdc"`. */
  object: string;
  outcome: Outcome;
  expected: string;
  found: string;
  hint: string;
  /** Milliseconds spent, retries included. */
  elapsedMs: number;
  /** For an environment error: the service that could not be reached at all, when that was the cause. */
  unreachable?: string;
  /** For an environment error: the service this platform does not run at all (its URL variable is "none"). */
  absent?: string;
  /** See Observation.warning. */
  warning?: string;
}

export interface StepResult {
  id: string;
  title: string;
  outcome: Outcome;
  expectations: ExpectationResult[];
  /** What to read and run next: the guide section and the check command. */
  next: string;
}

/** The worse of two outcomes: an environment error hides everything, a failure hides "not yet". */
export function worst(outcomes: Outcome[]): Outcome {
  const rank: Record<Outcome, number> = { pass: 0, 'not-yet': 1, fail: 2, 'environment-error': 3 };
  return outcomes.reduce<Outcome>((a, b) => (rank[b] > rank[a] ? b : a), 'pass');
}
