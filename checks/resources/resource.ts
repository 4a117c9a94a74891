/**
 * A resource kind: something `solve` creates and `reset` removes, named in a step's `solution:` list. Each kind is one
 * file of this folder exporting a `ResourceKind`, listed once in ./index.ts, as expectation kinds are in
 * ../kinds/index.ts. The course reader, solve and reset know no particular kind.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Services } from '#checks/clients/services.js';
import type { Params, RunnableStep } from '#checks/kind.js';
import type { OptionalService } from '#core/config.js';
import { shownPath } from '#core/state-dir.js';

/**
 * A line of what reset did, or a warning about something it saw but must leave to the learner, with when to run
 * reset again (default: once the learner's own producer or app is stopped).
 */
export type Removal = string | { warning: string; again?: string };

/**
 * The step whose solution a resource is: its expectations say what "already right" means, and its other resources
 * what else the step made (course.ts's Step has it all; a kind knows no more, so the course reader can list kinds).
 */
export interface StepOfResource extends RunnableStep {
  solution: readonly { kind: string }[];
}

export interface ApplyContext {
  step: StepOfResource;
  /** The command being run, for the learner to run again ("npm run solve step-3"). */
  again?: string;
}

export interface ResourceKind<R extends { kind: string }> {
  kind: R['kind'];
  /**
   * The optional service its objects live in (ksqlDB, the Schema Registry): where the platform runs none, reset has
   * nothing of it to remove and rehearse leaves the step out.
   */
  service?: OptionalService;
  /** The fields a step.yaml entry of this kind may have, besides `kind`. */
  fields: readonly string[];
  /** Reads a step.yaml entry; files are relative to the step's folder. Throws, naming `where`, on a bad entry. */
  parse(params: Params, where: string, folder: string): Omit<R, 'kind'>;
  /** What reset will remove, in words, before it does. */
  describe(resource: R): string;
  /** Creates what is missing, leaves what is right; says what it did, a line each. */
  apply(services: Services, resource: R, context: ApplyContext): Promise<string[]>;
  /** Removes what apply created; says what it did, or warns about what it had to leave. */
  remove(services: Services, resource: R): Promise<Removal[]>;
}

/** A file's path as a person would type it: relative to the repository when inside it. */
export const shown = shownPath;

/** A file a step.yaml entry names, relative to the step's folder; it must exist. */
export function stepFile(params: Params, field: string, where: string, folder: string): string {
  const file = path.join(folder, params.string(field));
  // A plain error: the course reader reports it as the course author's mistake, with file and field.
  if (!existsSync(file)) throw new Error(`${where}: file ${file} does not exist`);
  return file;
}
