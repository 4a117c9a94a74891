/**
 * An expectation kind: a small, fixed piece of the engine that a step's definition uses by name with parameters.
 * The engine knows no step; a step knows only kinds.
 */

import type { Services } from '#checks/clients/services.js';
import type { WorkshopConfig } from '#core/config.js';
import type { Clock } from '#core/wait.js';
import type { Observation } from './types.js';

export interface CheckContext {
  config: WorkshopConfig;
  services: Services;
  /** No probes: only look, never write a marked record or row. */
  passive: boolean;
  clock: Clock;
}

/** What the engine tells each look. */
export interface Look {
  /** When the expectation's verdict is due (clock time, deadlines scaled): a look that waits must end by then. */
  deadline: number;
  /** The step being checked, for a next command that names it ("npm run reset step-3"). */
  stepId: string;
}

export interface ExpectationKind<P> {
  kind: string;
  /** Checks a step file's parameters; throws a message naming the bad field. */
  parse(params: Params): P;
  object(params: P): string;
  expected(params: P, config: WorkshopConfig): string;
  /** The ksqlDB stream or table this expectation judges: solve asks it whether an existing one is already right. */
  judges?(params: P): string;
  /** How long "not yet" is retried before the verdict. */
  deadlineMs: number;
  /** A deadline that depends on the parameters: what it waits for takes that long (a window of N minutes). */
  deadlineFor?(params: P): number;
  /**
   * One look. `memory` lives across the retries of one run (to see that a count grows, or to finish a probe).
   * An EnvironmentError thrown here becomes the environment-error outcome.
   */
  observe(params: P, context: CheckContext, memory: Record<string, unknown>, look: Look): Promise<Observation>;
}

/** One expectation of a step: a kind with its parameters, and the hint shown when it fails. */
export interface Expectation {
  // biome-ignore lint/suspicious/noExplicitAny: parameters are checked by the kind's own parse().
  kind: ExpectationKind<any> & { probe?: boolean };
  params: unknown;
  hint: string;
  deadlineMs?: number;
}

/** What the engine needs of a step to check it (course.ts's Step has it all). */
export interface RunnableStep {
  id: string;
  title: string;
  /** The guide, relative to the repository root. */
  guidePath: string;
  /** The guide's section that says how to check the step. */
  checkSection?: string;
  expectations: Expectation[];
  /** Expectations do not depend on each other: run all of them, at once. */
  independent: boolean;
}

/** Parameters as a step file gives them, with readers that name what is wrong. */
export class Params {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private fail(name: string, expected: string): never {
    throw new Error(`${this.where}: "${name}" must be ${expected}, found ${JSON.stringify(this.raw[name])}`);
  }

  string(name: string): string {
    const value = this.raw[name];
    if (typeof value !== 'string' || value === '') this.fail(name, 'a non-empty string');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw[name] === undefined ? undefined : this.string(name);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(name, 'true or false');
    return value;
  }

  number(name: string, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(name, 'a number');
    return value;
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T {
    const value = this.raw[name];
    if (typeof value !== 'string' || !choices.includes(value as T)) this.fail(name, `one of ${choices.join(', ')}`);
    return value as T;
  }

  strings(name: string, fallback: string[] = []): string[] {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) this.fail(name, 'a list of strings');
    return value as string[];
  }

  /** A mapping (name → value), or undefined when absent; its values are the kind's to check. */
  optionalMapping(name: string): Record<string, unknown> | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(name, 'a mapping');
    return value as Record<string, unknown>;
  }

  /** A list of mappings, each read with its own Params (naming its position). */
  mappings(name: string): Params[] {
    const value = this.raw[name];
    if (!Array.isArray(value)) this.fail(name, 'a list');
    return value.map((entry, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) this.fail(name, 'a list of mappings');
      return new Params(entry as Record<string, unknown>, `${this.where}, ${name} ${i + 1}`);
    });
  }

  /** A string or a number, as a literal in a condition. */
  literal(name: string): string | number {
    const value = this.raw[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string') return value;
    this.fail(name, 'a string or a number');
  }

  /** Names this kind does not know are mistakes in the step file, not silently ignored. */
  only(names: string[]): this {
    for (const name of Object.keys(this.raw)) {
      if (!names.includes(name))
        throw new Error(`${this.where}: unknown parameter "${name}" (known: ${names.join(', ')})`);
    }
    return this;
  }
}

export const pass = (found: string): Observation => ({ outcome: 'pass', found });
export const fail = (found: string, hint?: string): Observation => ({ outcome: 'fail', found, hint });
export const notYet = (found: string, hint?: string): Observation => ({ outcome: 'not-yet', found, hint });
