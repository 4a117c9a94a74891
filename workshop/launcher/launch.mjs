/**
 * What `npm run <command>` starts: the kit's CLI as built into .build/ (plain JavaScript, no compiling at start).
 * When a source changed since the build (or there is none), it builds first, which takes about a second; when the
 * build cannot be made, it runs the sources through tsx as before, so a command never fails for the build's sake.
 * WORKSHOP_FROM_SOURCE=1 always runs the sources through tsx (the benchmark compares the two).
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildKit, freshBuildEntry, repoRoot } from './build.mjs';

async function loadCli() {
  if (process.env.WORKSHOP_FROM_SOURCE !== '1') {
    try {
      const entry = freshBuildEntry() ?? path.join(await buildKit(), 'cli.mjs');
      return await import(pathToFileURL(entry).href);
    } catch (error) {
      process.stderr.write(`(the kit could not be built, so it runs from its sources: ${error.message})\n`);
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(`${repoRoot}workshop/cli.ts`).href, import.meta.url);
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
