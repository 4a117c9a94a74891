/**
 * Puts the stand-in docker client (fake-docker.mjs) first on PATH for one test: writes the scenario, a `docker`
 * launcher in a fresh folder, and returns the environment to run the kit in and the calls the stand-in received.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from './docker-answers.js';

const script = fileURLToPath(new URL('./fake-docker.mjs', import.meta.url));

export interface FakeDocker {
  /** The environment with the stand-in first on PATH. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Every call's arguments, in order. */
  calls(): string[][];
}

export function fakeDocker(rules: Rule[]): FakeDocker {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'));
  const callLog = path.join(dir, 'calls.log');
  const scenario = path.join(dir, 'scenario.json');
  writeFileSync(scenario, JSON.stringify({ callLog, rules }));
  const launcher = path.join(dir, 'docker');
  writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  chmodSync(launcher, 0o755);
  return {
    dir,
    env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_DOCKER_SCENARIO: scenario },
    calls: () =>
      existsSync(callLog)
        ? readFileSync(callLog, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[])
        : [],
  };
}

/** A PATH with nothing on it, so no docker (zx found bash by its full path when it loaded). */
export function pathWithoutDocker(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: mkdtempSync(path.join(os.tmpdir(), 'no-docker-')) };
}
