/**
 * Where the kit is and where it keeps its own state. Every module that finds a file of the repository starts from
 * `repoRoot`, so moving a module never changes what it finds.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit's checkout, ending with a separator. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** A file or folder of the kit, from its path in the repository. */
export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}

/** The kit's own state on the learner's machine: .workshop/ in the repository (git-ignored), or WORKSHOP_STATE_DIR. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WORKSHOP_STATE_DIR ?? repoPath('.workshop/');
}

/** A file's path as a person would type it: relative to the kit's folder when inside it, whole otherwise. */
export function shownPath(file: string): string {
  const relative = path.relative(repoRoot, file);
  return relative.startsWith('..') ? file : relative;
}
