/** Puts the course (order, titles, hints, checks, solution files) in the site's global data for the step pages. */
import path from 'node:path';
import type { Plugin } from '@docusaurus/types';
import { readCourse, type SiteStep, stepsDir } from '../course-data';

export default function courseData(): Plugin<SiteStep[]> {
  let loaded = false;
  return {
    name: 'course-data',
    // The first load takes the course the configuration already read; every reload under npm run site reads it
    // again, so a changed step file shows at once.
    loadContent: async () => {
      const steps = readCourse({ fresh: loaded });
      loaded = true;
      return steps;
    },
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
