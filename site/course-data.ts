/**
 * The course as the site needs it: order, titles, concepts, the check's expectations in the check's own words,
 * hints and solution files. The kit's course reader makes it (workshop/site-data.ts, run here as a child process
 * because Docusaurus cannot load the kit's ES modules), so the site knows no step and reads no step file itself.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { SiteConcept, SiteStep } from '../workshop/site-data';

export type { SiteConcept, SiteStep };

const repoRoot = path.resolve(__dirname, '..');
export const stepsDir = path.join(repoRoot, 'steps');

const cache = globalThis as { workshopCourse?: SiteStep[] };

/** The course, read once per process (the config, the sidebar and the plugin all ask); `fresh` reads it again. */
export function readCourse({ fresh = false } = {}): SiteStep[] {
  if (cache.workshopCourse && !fresh) return cache.workshopCourse;
  let output: string;
  try {
    output = execFileSync(process.execPath, ['--import', 'tsx', path.join('workshop', 'site-data.ts')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`the course could not be read for the site (node --import tsx workshop/site-data.ts):\n${detail}`);
  }
  cache.workshopCourse = (JSON.parse(output) as { steps: SiteStep[] }).steps;
  return cache.workshopCourse;
}
