/**
 * The learner's side of the room: what `npm run join` remembers, and the report a check sends. Nothing is sent
 * before a learner joins; after, each check's result goes to the room from a process of its own (send-report.mjs),
 * started detached and never awaited, so a slow, absent or refusing room cannot slow or fail the check. (An unref'd
 * request in this process would be cut off when a quick check exits; holding the check open for it would cost the
 * learner time whenever the room is away. The benchmark `npm run bench -- --only room` measures what this costs.)
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepResult } from '#checks/types.js';
import { currentEngine } from '#core/engine.js';
import { spawnDetached } from '#core/process.js';
import { stateDir } from '#core/state-dir.js';
import { type Failing, limits, type Report } from './room-state.js';

/** The room a learner joined; kept in the state folder, readable by the learner only (it holds the join code). */
export interface Membership {
  /** The room's address as the projector showed it: http://192.168.1.23:8090 */
  url: string;
  code: string;
  learnerId: string;
  name: string;
}

export const membershipFile = (env: NodeJS.ProcessEnv = process.env) => path.join(stateDir(env), 'room-join.json');

export function readMembership(env: NodeJS.ProcessEnv = process.env): Membership | undefined {
  try {
    const data = JSON.parse(readFileSync(membershipFile(env), 'utf8')) as Partial<Membership>;
    if (typeof data.url !== 'string' || typeof data.code !== 'string' || typeof data.learnerId !== 'string') {
      return undefined;
    }
    return { url: data.url, code: data.code, learnerId: data.learnerId, name: String(data.name ?? '') };
  } catch {
    return undefined;
  }
}

export function writeMembership(membership: Membership, env: NodeJS.ProcessEnv = process.env): void {
  const file = membershipFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(membership, null, 2)}\n`, { mode: 0o600 });
}

export function forgetMembership(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = membershipFile(env);
  try {
    rmSync(file);
    return true;
  } catch {
    return false;
  }
}

/** What this machine would give away if a message carried it: its user's name and its own name. */
function localNames(): { text: string; as: string }[] {
  // The home folder first, whole: it may hold a full name with a space ("/Users/Jane Doe"), which the path rule
  // below would cut at the space.
  const names: { text: string; as: string }[] = [{ text: os.homedir(), as: '<path>' }];
  try {
    names.push({ text: os.userInfo().username, as: '<user>' });
  } catch {
    // No user name to hide (a container without a passwd entry).
  }
  // The machine's name as it is given and as others write it: "janes-mbp.local" and "janes-mbp".
  const host = os.hostname();
  names.push({ text: host, as: '<host>' }, { text: host.split('.')[0] ?? host, as: '<host>' });
  return names.filter((n) => n.text.length >= 3);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every bracketed {…} or […] (a record, a JSON value, a list of values) with an empty one. */
function withoutRecords(text: string): string {
  let out = '';
  let depth = 0;
  for (const char of text) {
    if (char === '{' || char === '[') {
      if (depth === 0) out += char === '{' ? '{…}' : '[…]';
      depth += 1;
    } else if ((char === '}' || char === ']') && depth > 0) {
      depth -= 1;
    } else if (depth === 0) {
      out += char;
    }
  }
  return out;
}

/**
 * A check's message as the learner saw it, minus what must not leave their laptop: addresses (URLs, host:port, IP
 * addresses), e-mail addresses, file paths, record contents (JSON values and long quoted strings), the user's and
 * the machine's names. What is left says what was expected and what kind of thing was found.
 */
export function redact(text: string, names = localNames()): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removes terminal colour codes before anything else.
  let out = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ');
  out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s,;)"'<>]+/gi, '<address>');
  out = out.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>');
  for (const { text: name, as } of names.filter((n) => n.as === '<path>')) {
    out = out.replace(new RegExp(escapeRegExp(name), 'gi'), as);
  }
  out = out.replace(/\\\\[^\s\\]+\\\S*/g, '<path>');
  out = out.replace(/\[[0-9a-f:]+\](:\d+)?/gi, '<address>');
  // IPv6 without brackets: four groups or more, or a "::" (a time of day has three groups and no "::").
  out = out.replace(/(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])/gi, '<address>');
  out = out.replace(/(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{1,4})*::(?:[0-9a-f]{1,4}:?)*(?![\w])/gi, '<address>');
  out = out.replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<address>');
  out = out.replace(/\b(localhost|[a-z][\w-]*(\.[\w-]+)*):\d{2,5}\b/gi, '<address>');
  out = out.replace(/(^|[\s("'=])(~|[A-Za-z]:)?[\\/](?:[^\s\\/:"'()]+[\\/])+[^\s\\/:"'(),]*/g, '$1<path>');
  out = withoutRecords(out);
  out = out.replace(/"[^"]{41,}"/g, '"…"');
  for (const { text: name, as } of names.filter((n) => n.as !== '<path>')) {
    out = out.replace(new RegExp(`(?<![\\w-])${escapeRegExp(name)}(?![\\w-])`, 'gi'), as);
  }
  return out.trim();
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The report of one step's result: the failing expectations, each as its object and message, redacted. */
export function buildReport(
  result: StepResult,
  membership: Membership,
  names = localNames(),
  engine = currentEngine(),
): Report {
  const failing: Failing[] = result.expectations
    .filter((e) => e.outcome !== 'pass')
    .slice(0, limits.failing)
    .map((e) => ({
      object: clip(redact(e.object, names), limits.objectChars) || '(unnamed)',
      message: clip(redact(`expected ${e.expected}, found ${e.found}`, names), limits.messageChars),
    }));
  const report = {
    learnerId: membership.learnerId,
    name: membership.name,
    step: result.id,
    outcome: result.outcome,
    failing,
    engine,
  };
  // Within the room's size limit, with room for the code and the JSON around it: the last entries go first.
  while (report.failing.length > 1 && Buffer.byteLength(JSON.stringify(report)) > limits.bodyBytes - 256) {
    report.failing = report.failing.slice(0, -1);
  }
  return report;
}

const senderScript = fileURLToPath(new URL('./send-report.mjs', import.meta.url));

/** A watch re-checks every 2 s: the same report again is sent only as a sign of life, every 30 s. */
const unchangedEveryMs = 30_000;
let lastSent: { text: string; at: number } | undefined;

/**
 * Sends a check's result to the room the learner joined, if any, without waiting: returns at once, never throws.
 * Returns whether a report went out (for tests).
 */
export function reportToRoom(result: StepResult, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const membership = readMembership(env);
    if (!membership) return false;
    const body = JSON.stringify({ code: membership.code, ...buildReport(result, membership) });
    const now = Date.now();
    if (lastSent && lastSent.text === body && now - lastSent.at < unchangedEveryMs) return false;
    lastSent = { text: body, at: now };
    const child = spawnDetached({
      command: process.execPath,
      args: [senderScript],
      env: { ...process.env, WORKSHOP_ROOM_REPORT: JSON.stringify({ url: `${membership.url}/api/report`, body }) },
    });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    // The room is optional: nothing about it may change what the check says.
    return false;
  }
}
