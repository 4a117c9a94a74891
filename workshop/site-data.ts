/**
 * The course as the workshop site shows it, made by the kit's own course reader and expectation kinds, so the site
 * says what the check says: each expectation's object and what a pass looks like in the kind's words, its hint for
 * when it fails, the files solve applies, the step's concepts from the talk. The site's build runs this file
 * (`node --import tsx workshop/site-data.ts` prints the JSON): Docusaurus cannot load the kit's modules itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConcepts, loadCourse, stepsDir } from '#checks/course.js';
import { loadConfig } from '#core/config.js';
import { type Engine, engineNames } from '#core/engine.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

export interface SiteConcept {
  id: string;
  title: string;
  slides: string;
  summary: string;
}

export interface SiteStep {
  /** step-N, as the check command takes it. */
  id: string;
  number: number;
  folder: string;
  title: string;
  /** Going further: no later step builds on it (the sidebar groups these after the core course). */
  optional: boolean;
  /** The Docusaurus doc id of its guide (the folder without its number prefix, then "guide"). */
  docId: string;
  /** The diagram's parts this step builds. */
  stage: string[];
  concepts: SiteConcept[];
  hints: string[];
  /** The engine this page is the step on: ksqlDB's page, or the Flink SQL variant's (`/steps/step-N/flink`). */
  engine: Engine;
  /** Every engine the step has a page for, with its path: the page's engine switch. */
  variants: { engine: Engine; label: string; path: string }[];
  /** Each expectation of the check: the object it names, what a pass looks like, what to do when it fails. */
  expectations: { object: string; expected: string; hint: string }[];
  /** The files npm run solve applies, relative to the repository, with their text. */
  solutionFiles: { path: string; language: string; text: string }[];
}

const languages: Record<string, string> = { '.json': 'json', '.sql': 'sql', '.ndjson': 'json' };

export function siteCourse(root = stepsDir): SiteStep[] {
  // The defaults a learner's machine has: the site shows the same URLs the check would name.
  const config = loadConfig({});
  const concepts = loadConcepts(root);
  // Each step as ksqlDB runs it, then each Flink SQL variant as a page of its own.
  const flinkVariants = loadCourse(root, 'flink').filter((step) => step.engine === 'flink');
  return [...loadCourse(root), ...flinkVariants].map((step) => {
    const folder = path.basename(step.folder);
    const slug = folder.replace(/^\d+-/, '');
    const pathOf = (engine: Engine) => (engine === 'flink' ? `/steps/${step.id}/flink` : `/steps/${step.id}`);
    return {
      id: step.id,
      number: step.number,
      folder,
      title: step.title,
      optional: step.optional,
      docId: step.engine === 'flink' ? `${slug}/flink/guide` : `${slug}/guide`,
      engine: step.engine,
      variants: step.variants.map((engine) => ({ engine, label: engineNames[engine], path: pathOf(engine) })),
      stage: step.stage,
      concepts: step.concepts.map((id) => concepts.find((c) => c.id === id) as SiteConcept),
      hints: step.hints,
      expectations: step.expectations.map((e) => ({
        object: e.kind.object(e.params),
        expected: e.kind.expected(e.params, config),
        hint: e.hint,
      })),
      solutionFiles: step.solution.flatMap((resource) => {
        if (!('file' in resource)) return [];
        const relative = path.relative(repoRoot, resource.file).replaceAll('\\', '/');
        return [
          {
            path: relative,
            language: languages[path.extname(relative)] ?? 'text',
            text: readFileSync(resource.file, 'utf8').trimEnd(),
          },
        ];
      }),
    };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify({ steps: siteCourse() })}\n`);
}
