/**
 * The course: steps/course.yaml lists the step folders in order; each folder's step.yaml defines the step. This is
 * the only code that reads them, and it knows no particular step.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { kinds } from '#checks/kinds/index.js';
import { type Resource, resourceKind, resourceKinds } from '#checks/resources/index.js';
import { defaultEngine, type Engine, engines, isEngine } from '#core/engine.js';
import { UsageError, WorkshopError } from '#core/errors.js';
import { type Expectation, Params, type RunnableStep } from './kind.js';

export const stepsDir = fileURLToPath(new URL('../steps/', import.meta.url));

export type { Expectation, Resource };

export interface Step extends RunnableStep {
  number: number;
  folder: string;
  hints: string[];
  solution: Resource[];
  /** Words for solve when a step has nothing to apply. */
  solveNote?: string;
  /** The parts of the pipeline diagram this step builds (the site marks them). */
  stage: string[];
  /** The ideas from the talk this step puts to work: ids of steps/concepts.yaml. */
  concepts: string[];
  /** A step the course can do without: later steps do not build on it, and rehearse skips it when its services are absent. */
  optional: boolean;
  /** The engine whose variant this is: the step as the room's engine runs it. */
  engine: Engine;
  /** The engines the step has a variant for; a step without an `engines:` section is the same on every engine. */
  variants: Engine[];
}

/** What an engine's variant of a step (step.yaml's `engines: { flink: … }`) may give in place of the step's own. */
const variantFields = [
  'title',
  'guide',
  'checkSection',
  'hints',
  'expectations',
  'solution',
  'solveNote',
  'stage',
  'concepts',
];

/** An idea from the talk, as steps/concepts.yaml explains it. */
export interface Concept {
  id: string;
  title: string;
  /** The talk's slides that show it. */
  slides: string;
  summary: string;
}

/** A step file that does not say what it must: the course author's mistake, reported with file and field. */
export class CourseError extends WorkshopError {}

function readYaml(file: string, where: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CourseError(`${where}: ${(error as Error).message}`);
  }
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CourseError(`${where} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function parseResource(raw: unknown, where: string, folder: string): Resource {
  const fields = record(raw, where);
  const kind = resourceKind(fields.kind);
  if (!kind) {
    throw new CourseError(
      `${where}: unknown resource kind ${JSON.stringify(fields.kind)} (known: ${resourceKinds.map((k) => k.kind).join(', ')})`,
    );
  }
  const params = new Params(fields, where).only(['kind', ...kind.fields]);
  return { kind: kind.kind, ...kind.parse(params, where, folder) } as Resource;
}

/** steps/concepts.yaml: the ideas from the talk the steps may name, in the order the file gives them. */
export function loadConcepts(root = stepsDir): Concept[] {
  const where = 'steps/concepts.yaml';
  const raw = record(readYaml(path.join(root, 'concepts.yaml'), where), where);
  const entries = record(raw.concepts, `${where}: "concepts"`);
  return Object.entries(entries).map(([id, value]) => {
    const at = `${where}, concept ${id}`;
    try {
      const params = new Params(record(value, at), at).only(['title', 'slides', 'summary']);
      return {
        id,
        title: params.string('title'),
        slides: params.string('slides'),
        summary: params.string('summary').trim(),
      };
    } catch (error) {
      if (error instanceof WorkshopError) throw error;
      throw new CourseError((error as Error).message);
    }
  });
}

export function loadStep(folderName: string, number: number, root = stepsDir, engine: Engine = defaultEngine): Step {
  try {
    return readStep(folderName, number, root, engine);
  } catch (error) {
    // A field of the wrong type, found by Params: still the course author's mistake, with file and field.
    if (error instanceof WorkshopError) throw error;
    throw new CourseError((error as Error).message);
  }
}

function readStep(folderName: string, number: number, root: string, engine: Engine): Step {
  const folder = path.join(root, folderName);
  const file = path.join(folder, 'step.yaml');
  const stepWhere = path.relative(path.dirname(root), file);
  if (!existsSync(file)) throw new CourseError(`${stepWhere} is missing`);
  const own = record(readYaml(file, stepWhere), stepWhere);
  const variants = readVariants(own.engines, stepWhere);
  const variant = engine === defaultEngine ? undefined : variants[engine];
  // An engine's variant replaces the fields it gives; the rest (id, optional, independent) is the step's own.
  const raw = variant ? { ...own, ...variant } : own;
  const where = variant ? `${stepWhere}, engines.${engine}` : stepWhere;
  const top = new Params(raw, where).only([
    'id',
    'title',
    'guide',
    'checkSection',
    'hints',
    'expectations',
    'solution',
    'solveNote',
    'independent',
    'stage',
    'concepts',
    'optional',
    'engines',
  ]);
  const id = top.string('id');
  if (id !== `step-${number}`)
    throw new CourseError(`${where}: id must be "step-${number}" (its place in course.yaml), found "${id}"`);
  const guide = top.string('guide');
  const guidePath = path.relative(path.dirname(root), path.join(folder, guide));
  if (!existsSync(path.join(folder, guide))) throw new CourseError(`${where}: guide ${guidePath} does not exist`);
  const expectations = (Array.isArray(raw.expectations) ? raw.expectations : []).map((entry, i) => {
    const at = `${where}, expectation ${i + 1}`;
    const fields = record(entry, at);
    const kind = typeof fields.kind === 'string' ? kinds[fields.kind] : undefined;
    if (!kind) {
      throw new CourseError(
        `${at}: unknown kind ${JSON.stringify(fields.kind)} (known: ${Object.keys(kinds).join(', ')})`,
      );
    }
    const { kind: _kind, hint, deadlineMs, ...params } = fields;
    if (typeof hint !== 'string' || hint.trim() === '') throw new CourseError(`${at}: every expectation needs a hint`);
    try {
      return {
        kind,
        params: kind.parse(new Params(params, at)),
        hint: hint.trim(),
        deadlineMs: typeof deadlineMs === 'number' ? deadlineMs : undefined,
      };
    } catch (error) {
      throw new CourseError((error as Error).message);
    }
  });
  if (expectations.length === 0) throw new CourseError(`${where}: a step needs at least one expectation`);
  return {
    id,
    number,
    title: top.string('title'),
    folder,
    guidePath,
    checkSection: top.optionalString('checkSection'),
    hints: top.strings('hints'),
    expectations,
    solution: (Array.isArray(raw.solution) ? raw.solution : []).map((entry, i) =>
      parseResource(entry, `${where}, solution ${i + 1}`, folder),
    ),
    solveNote: top.optionalString('solveNote'),
    independent: top.boolean('independent', false),
    stage: top.strings('stage'),
    concepts: readConcepts(raw.concepts, where, root),
    optional: top.boolean('optional', false),
    engine: variant ? engine : defaultEngine,
    variants: [defaultEngine, ...(Object.keys(variants) as Engine[])],
  };
}

/** step.yaml's `engines:` section: for each engine other than the default, the fields its variant gives. */
function readVariants(value: unknown, where: string): Partial<Record<Engine, Record<string, unknown>>> {
  if (value === undefined) return {};
  const section = record(value, `${where}: "engines"`);
  const variants: Partial<Record<Engine, Record<string, unknown>>> = {};
  for (const [name, fields] of Object.entries(section)) {
    if (!isEngine(name) || name === defaultEngine) {
      throw new CourseError(
        `${where}: engines.${name} is not an engine with variants (known: ${engines.filter((e) => e !== defaultEngine).join(', ')})`,
      );
    }
    const entry = record(fields, `${where}: engines.${name}`);
    const unknown = Object.keys(entry).filter((key) => !variantFields.includes(key));
    if (unknown.length > 0) {
      throw new CourseError(
        `${where}: engines.${name} has ${unknown.join(', ')}, which a variant cannot give (it may give ${variantFields.join(', ')})`,
      );
    }
    variants[name] = entry;
  }
  return variants;
}

/** steps/concepts.yaml read once per folder: every step names some. */
const conceptIds = new Map<string, string[]>();

function readConcepts(value: unknown, where: string, root: string): string[] {
  if (value === undefined) return [];
  const ids = new Params({ concepts: value }, where).strings('concepts');
  let known = conceptIds.get(root);
  if (!known) {
    known = loadConcepts(root).map((c) => c.id);
    conceptIds.set(root, known);
  }
  for (const id of ids) {
    if (!known.includes(id)) {
      throw new CourseError(`${where}: concept "${id}" is not in steps/concepts.yaml (known: ${known.join(', ')})`);
    }
  }
  return ids;
}

function courseFolders(root: string): string[] {
  const file = path.join(root, 'course.yaml');
  const raw = record(readYaml(file, 'steps/course.yaml'), 'steps/course.yaml');
  const folders = raw.steps;
  if (!Array.isArray(folders) || folders.some((f) => typeof f !== 'string')) {
    throw new CourseError('steps/course.yaml: "steps" must be a list of step folder names');
  }
  return folders as string[];
}

/**
 * A step not on this room's way: in a room on another engine than ksqlDB, an optional step that only ksqlDB has
 * builds on ksqlDB's objects of steps 4-7, which that room does not make. Solve and rehearse leave it out.
 */
export function ksqlDbOnlyIn(engine: Engine, step: Step): boolean {
  return engine !== defaultEngine && step.optional && step.engine !== engine;
}

export function loadCourse(root = stepsDir, engine: Engine = defaultEngine): Step[] {
  return courseFolders(root).map((folder, i) => loadStep(folder, i + 1, root, engine));
}

/**
 * One step named on a command line, reading only its own step file (a check of one step should not parse them all);
 * an unknown name reads the whole course, to list the valid ones.
 */
export function loadNamedStep(name: string, root = stepsDir, engine: Engine = defaultEngine): Step {
  const wanted = /^\d+$/.test(name) ? `step-${name}` : name;
  const match = /^step-(\d+)$/.exec(wanted);
  const folders = courseFolders(root);
  const number = match ? Number(match[1]) : 0;
  const folder = folders[number - 1];
  if (!folder) return selectStep(loadCourse(root, engine), name);
  return loadStep(folder, number, root, engine);
}

/** The steps named on a command line ("step-3" or "3"), or a usage error listing the valid names. */
export function selectStep(course: Step[], name: string): Step {
  const wanted = /^\d+$/.test(name) ? `step-${name}` : name;
  const step = course.find((s) => s.id === wanted);
  if (!step) {
    throw new UsageError(
      `unknown step "${name}". The steps are:\n${course.map((s) => `  ${s.id}  ${s.title}`).join('\n')}`,
    );
  }
  return step;
}
