/**
 * One error hierarchy for the kit. Each kind maps to an exit code and says whether retrying can help, so the CLI can
 * print `Error: <message>` without a stack for every failure a person can cause or fix.
 */

export const ExitCode = {
  ok: 0,
  /** The learner's work does not meet a step's expectation, or a command failed for a reason they can fix. */
  failure: 1,
  /** The command line was wrong: unknown command, step or flag. */
  usage: 2,
  /** A service is unreachable, still starting or timed out: not the learner's mistake. */
  environment: 3,
  /** A check is still converging (records arriving, a task starting): run it again in a moment. */
  notYet: 4,
  /** Not a failure a person caused: a bug in the kit (the stack is printed, to report it). 70 is EX_SOFTWARE. */
  bug: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class WorkshopError extends Error {
  readonly exitCode: ExitCode = ExitCode.failure;
  /** Whether running the same command again, unchanged, may succeed. */
  readonly retriable: boolean = false;
  constructor(
    message: string,
    /** What to do next, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input on the command line or in a file the person wrote. */
export class UsageError extends WorkshopError {
  override readonly exitCode = ExitCode.usage;
}

/** A malformed WORKSHOP_* variable. */
export class ConfigError extends WorkshopError {
  override readonly exitCode = ExitCode.usage;
}

/** Something outside the person's work is not there or not ready: a server, a tool, a port. */
export class EnvironmentError extends WorkshopError {
  override readonly exitCode = ExitCode.environment;
  override readonly retriable = true;
}

/**
 * Not ready yet, and not anyone's mistake: a server in a passing state (ksqlDB's Kafka Streams rebalancing, a topic
 * still being deleted). Retried within the caller's deadline; a check reports it as not yet (exit 4).
 */
export class NotYetError extends WorkshopError {
  override readonly exitCode = ExitCode.notYet;
  override readonly retriable = true;
}

/** A condition did not come true before its deadline. */
export class TimeoutError extends EnvironmentError {}
