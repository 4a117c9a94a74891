/**
 * The course as the site needs it, read at build time from the same files the check engine reads: steps/course.yaml
 * for the order, each step's step.yaml for its title, hints, expectations and solution files. The site knows no step:
 * a step added to course.yaml appears here without touching the site.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const stepsDir = path.resolve(__dirname, '..', 'steps');

export interface SiteStep {
  /** step-N, as the check command takes it. */
  id: string;
  number: number;
  folder: string;
  title: string;
  /** The Docusaurus doc id of its guide (the folder without its number prefix, then "guide"). */
  docId: string;
  /** The diagram's parts this step builds. */
  stage: string[];
  hints: string[];
  /** Each expectation of the check: what it looks at and what to do when it fails. */
  troubleshooting: { what: string; hint: string }[];
  /** The files npm run solve applies, relative to the repository, with their text. */
  solutionFiles: { path: string; language: string; text: string }[];
}

interface StepFile {
  title: string;
  stage?: string[];
  hints?: string[];
  expectations?: Record<string, unknown>[];
  solution?: { kind: string; file?: string }[];
}

/** The thing an expectation looks at, in words, from its parameters (the engine's own wording lives in checks/). */
function subject(e: Record<string, unknown>): string {
  const kind = String(e.kind);
  const named =
    e.name ?? e.index ?? e.pattern ?? e.title ?? e.group ?? e.log ?? e.topic ?? e.service ?? e.stream ?? e.table;
  const words: Record<string, string> = {
    'service-ready': 'service',
    'topic-records': 'topic',
    'connector-running': 'connector',
    'connector-secrets': 'connector config',
    'table-in-topic': 'topic',
    'change-arrives': 'change',
    'ksql-object': 'ksqlDB',
    'ksql-filter': 'ksqlDB filter',
    'ksql-join': 'ksqlDB join',
    'ksql-window-counts': 'ksqlDB window counts',
    'elasticsearch-index': 'Elasticsearch index',
    'kibana-data-view': 'Kibana data view',
    'kibana-dashboard': 'Kibana dashboard',
    'consumer-group-live': 'consumer group',
    'deliveries-logged': 'delivery log',
  };
  return named === undefined ? (words[kind] ?? kind) : `${words[kind] ?? kind} ${String(named)}`;
}

const languages: Record<string, string> = { '.json': 'json', '.sql': 'sql', '.ndjson': 'json' };

export function readCourse(): SiteStep[] {
  const course = parse(readFileSync(path.join(stepsDir, 'course.yaml'), 'utf8')) as { steps: string[] };
  return course.steps.map((folder, i) => {
    const file = parse(readFileSync(path.join(stepsDir, folder, 'step.yaml'), 'utf8')) as StepFile;
    const solutionFiles = (file.solution ?? [])
      .filter((r) => r.file && existsSync(path.join(stepsDir, folder, r.file)))
      .map((r) => {
        const relative = path.join(folder, r.file as string);
        return {
          path: `steps/${relative}`,
          language: languages[path.extname(relative)] ?? 'text',
          text: readFileSync(path.join(stepsDir, relative), 'utf8').trimEnd(),
        };
      });
    return {
      id: `step-${i + 1}`,
      number: i + 1,
      folder,
      title: file.title,
      docId: `${folder.replace(/^\d+-/, '')}/guide`,
      stage: file.stage ?? [],
      hints: file.hints ?? [],
      troubleshooting: (file.expectations ?? []).map((e) => ({
        what: subject(e),
        hint: String(e.hint ?? '').trim(),
      })),
      solutionFiles,
    };
  });
}
