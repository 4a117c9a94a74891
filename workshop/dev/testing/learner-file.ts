/**
 * A file of the kit's folder that a learner writes and a test writes too (step 15's headless/queries.sql, which solve
 * and the guide walkthrough write): a test sets a developer's own aside before, and puts it back after, removing
 * whatever the test left there. The kit's folder ends as the test found it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export function setAside(file: string): () => void {
  const theirs = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  rmSync(file, { force: true });
  const yours = `${file}.yours`;
  const theirsKept = existsSync(yours) ? readFileSync(yours, 'utf8') : undefined;
  return () => {
    if (theirs === undefined) rmSync(file, { force: true });
    else writeFileSync(file, theirs);
    // solve keeps a differing file as <file>.yours: one the test made goes too.
    if (theirsKept === undefined) rmSync(yours, { force: true });
    else writeFileSync(yours, theirsKept);
  };
}
