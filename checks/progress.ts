/** The learner's progress: when each step first passed, kept in .workshop/progress.json. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '#core/state-dir.js';

export type Progress = Record<string, { firstPassedAt?: string }>;

const defaultProgressFile = () => path.join(stateDir(), 'progress.json');

export function readProgress(file = defaultProgressFile()): Progress {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Progress;
  } catch {
    return {};
  }
}

/** Records a pass; the first one counts. Returns the progress as saved. */
export function recordPass(stepId: string, when: Date, file = defaultProgressFile()): Progress {
  const progress = readProgress(file);
  if (!progress[stepId]?.firstPassedAt) {
    progress[stepId] = { firstPassedAt: when.toISOString() };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`);
  }
  return progress;
}
