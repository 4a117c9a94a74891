/**
 * The kit's own background processes that tests started: a producer or app that `solve` runs under a title of the
 * kit's (`workshop-<name>-<8 hex>`, see checks/resources/background.ts), with a state folder of a test's (a
 * temporary folder, never the learner's .workshop/). A suite stops them whatever its reset says, and the test run's
 * teardown fails the run, naming any still alive, so nothing a test started outlives it. Linux and WSL only (/proc);
 * elsewhere there is nothing to find.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signalGroup } from '#core/process.js';

export interface KitProcess {
  pid: number;
  title: string;
  stateDir: string;
}

const kitTitle = /^workshop-[a-z0-9-]+-[0-9a-f]{8}$/;

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Every running process of the kit's whose state folder is under `within` (default: the system's temporary folder). */
export function kitProcesses(within = os.tmpdir()): KitProcess[] {
  if (!existsSync('/proc')) return [];
  const found: KitProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const title = read(`/proc/${entry}/cmdline`)?.split('\0')[0]?.trim();
    if (!title || !kitTitle.test(title)) continue;
    const stateDir = read(`/proc/${entry}/environ`)
      ?.split('\0')
      .find((v) => v.startsWith('WORKSHOP_STATE_DIR='))
      ?.slice('WORKSHOP_STATE_DIR='.length);
    if (!stateDir) continue;
    const relative = path.relative(within, stateDir);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    found.push({ pid: Number(entry), title, stateDir });
  }
  return found;
}

/** Kills, with their process groups, the kit's processes whose state folder is `stateDir` (or under it). */
export function stopKitProcesses(stateDir: string): KitProcess[] {
  const found = kitProcesses(stateDir);
  for (const p of found) signalGroup(p.pid, 'SIGKILL');
  return found;
}
