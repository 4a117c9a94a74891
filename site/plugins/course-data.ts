/** Puts the course (order, titles, hints, checks, solution files) in the site's global data for the step pages. */
import path from 'node:path';
import type { Plugin } from '@docusaurus/types';
import { readCourse, type SiteStep, stepsDir } from '../course-data';

export default function courseData(): Plugin<SiteStep[]> {
  return {
    name: 'course-data',
    // Read again on every (re)load, so a changed step file shows at once under npm run site.
    loadContent: async () => readCourse({ fresh: true }),
    contentLoaded: async ({ content, actions }) => {
      actions.setGlobalData({ steps: content });
    },
    getPathsToWatch: () => [
      path.join(stepsDir, '*.yaml'),
      path.join(stepsDir, '**', 'step.yaml'),
      path.join(stepsDir, '**', 'solution', '*'),
    ],
  };
}
