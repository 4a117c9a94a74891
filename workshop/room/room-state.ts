/**
 * The instructor's room as data: who is where, what fails for them, and how the room is kept on disk. Everything here
 * is pure apart from the file helpers at the end, so the rules (what a report may hold, what the page shows, how fast
 * a learner may report) are tested without a server.
 */

import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Outcome } from '#checks/types.js';
import { type Engine, engines, isEngine } from '#core/engine.js';
import { EnvironmentError } from '#core/errors.js';

/** One expectation that did not pass, as the learner saw it. */
export interface Failing {
  object: string;
  message: string;
}

/** What a learner's check sends, and nothing else (the join code travels beside it and is never kept). */
export interface Report {
  learnerId: string;
  name: string;
  step: string;
  outcome: Outcome;
  failing: Failing[];
  /** The engine the learner's checks ran on (core/engine.ts); a report without it is from a ksqlDB room. */
  engine?: Engine;
}

/** What joining sends: who is there, before any check. */
export interface Hello {
  learnerId: string;
  name: string;
}

export const limits = {
  /** A report is a few hundred bytes; anything near this is not one of ours. */
  bodyBytes: 16 * 1024,
  nameChars: 40,
  failing: 20,
  objectChars: 200,
  messageChars: 500,
  /** A room of 40 is the use; the cap keeps memory and the page bounded if someone with the code floods it. */
  learners: 500,
} as const;

const outcomes: readonly Outcome[] = ['pass', 'not-yet', 'fail', 'environment-error'];
const learnerIdPattern = /^[A-Za-z0-9_-]{16,64}$/;
/** Control and format characters (ANSI escapes, bidi overrides, zero-width): they could disguise text or a terminal. */
const hiddenCharacters = /[\p{Cc}\p{Cf}]/u;

/** A reason the request is refused: the text goes back to the sender in a 400. */
export class Invalid extends Error {}

function plainObject(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`${what} is not an object`);
  const unknown = Object.keys(value).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new Invalid(`${what} has field(s) a report does not hold: ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string, min: number, max: number): string {
  if (typeof value !== 'string') throw new Invalid(`${what} is not a string`);
  if (value.length < min || value.length > max) throw new Invalid(`${what} must be ${min} to ${max} characters`);
  if (hiddenCharacters.test(value)) throw new Invalid(`${what} holds control characters`);
  return value;
}

function learnerId(value: unknown): string {
  if (typeof value !== 'string' || !learnerIdPattern.test(value)) {
    throw new Invalid('learnerId must be 16 to 64 letters, digits, - or _');
  }
  return value;
}

function name(value: unknown): string {
  const raw = text(value, 'name', 1, limits.nameChars);
  const trimmed = raw.trim();
  if (trimmed === '') throw new Invalid('name is blank');
  return trimmed;
}

/** The code from a request body; checked against the room's with codesMatch, never validated beyond its type. */
export function codeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || typeof (body as { code?: unknown }).code !== 'string') {
    throw new Invalid('the join code is missing');
  }
  return (body as { code: string }).code;
}

/** A report's body as sent; throws Invalid naming the first thing wrong. `steps` are the course's step ids. */
export function parseReport(body: unknown, steps: readonly string[]): Report {
  const fields = plainObject(body, 'the report', ['code', 'learnerId', 'name', 'step', 'outcome', 'failing', 'engine']);
  if (fields.engine !== undefined && !isEngine(fields.engine)) {
    throw new Invalid(`engine must be one of ${engines.join(', ')}`);
  }
  const step = fields.step;
  if (typeof step !== 'string' || !steps.includes(step)) throw new Invalid('step is not a step of this course');
  const outcome = fields.outcome;
  if (typeof outcome !== 'string' || !outcomes.includes(outcome as Outcome)) {
    throw new Invalid(`outcome must be one of ${outcomes.join(', ')}`);
  }
  const failing = fields.failing;
  if (!Array.isArray(failing) || failing.length > limits.failing) {
    throw new Invalid(`failing must be a list of at most ${limits.failing} entries`);
  }
  return {
    learnerId: learnerId(fields.learnerId),
    name: name(fields.name),
    step,
    outcome: outcome as Outcome,
    ...(fields.engine === undefined ? {} : { engine: fields.engine as Engine }),
    failing: failing.map((entry, i) => {
      const f = plainObject(entry, `failing entry ${i + 1}`, ['object', 'message']);
      return {
        object: text(f.object, `failing entry ${i + 1}'s object`, 1, limits.objectChars),
        message: text(f.message, `failing entry ${i + 1}'s message`, 0, limits.messageChars),
      };
    }),
  };
}

export function parseHello(body: unknown): Hello {
  const fields = plainObject(body, 'the request', ['code', 'learnerId', 'name']);
  return { learnerId: learnerId(fields.learnerId), name: name(fields.name) };
}

// ---- the join code ----

/** Crockford's base 32: no I, L, O or U, so a code read off a projector cannot be mistyped between look-alikes. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Eight characters, 40 bits: with ten wrong guesses a minute allowed per address, guessing takes millennia. */
export function newJoinCode(): string {
  return Array.from({ length: 8 }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('');
}

/** As shown: ABCD-EFGH. */
export const showCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/** As typed: any case, with or without the dash or spaces; O read as 0 and I or L as 1, as Crockford intends. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Constant time: comparing digests of equal length, so the answer takes as long however much of a guess is right. */
export function codesMatch(typed: string, code: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(normaliseCode(typed)), digest(code));
}

export const newLearnerId = () => randomBytes(16).toString('base64url');

// ---- the room ----

export interface Learner {
  id: string;
  name: string;
  /** Undefined until the first check: joined, nothing checked yet. */
  step?: string;
  outcome?: Outcome;
  failing: Failing[];
  joinedAt: number;
  /** When the learner arrived at the step they are on. */
  stepSince: number;
  lastSeen: number;
  /** The engine of their last report. */
  engine?: Engine;
}

export interface RoomData {
  version: 1;
  code: string;
  createdAt: number;
  /** Reports accepted since the room began: the tests' and the benchmark's count of what arrived. */
  received: number;
  learners: Learner[];
  /** Learner ids the instructor removed: their reports are refused until a new room. */
  kicked: string[];
}

export function newRoom(now: number, code = newJoinCode()): RoomData {
  return { version: 1, code, createdAt: now, received: 0, learners: [], kicked: [] };
}

export const idleAfterMs = 10 * 60_000;

/** What the page shows; built for each kind of viewer. */
export interface Snapshot {
  now: number;
  received: number;
  /** Only for the instructor's own machine: it may remove a learner. */
  admin: boolean;
  projector: boolean;
  steps: {
    id: string;
    title: string;
    learners: number;
    passed: number;
    failures: { object: string; message: string; learners: number }[];
  }[];
  learners: {
    /** The learner id, for removing: only in the instructor's own view (an id with the code could send as them). */
    id?: string;
    /** "Learner 7" in projector mode. */
    name: string;
    /** The engine the learner runs: ksqlDB, or Flink SQL in a room that chose it. */
    engine: Engine;
    step?: string;
    outcome?: Outcome;
    failing: Failing[];
    stepSince: number;
    lastSeen: number;
    idle: boolean;
  }[];
}

/**
 * Messages of the same mistake differ in their numbers ("3 of 20 rows"): the room groups them with the digits
 * blanked, and shows the newest wording.
 */
export const failureKey = (f: Failing) => `${f.object}\u0000${f.message.replace(/\d+/g, '#')}`;

export class Room {
  private readonly byId = new Map<string, Learner>();
  private readonly kicked = new Set<string>();

  constructor(
    public data: RoomData,
    private readonly steps: readonly { id: string; title: string }[],
  ) {
    for (const learner of data.learners) this.byId.set(learner.id, learner);
    for (const id of data.kicked) this.kicked.add(id);
  }

  get code(): string {
    return this.data.code;
  }

  get size(): number {
    return this.byId.size;
  }

  isKicked(id: string): boolean {
    return this.kicked.has(id);
  }

  /** Whether a learner not seen yet could still come in. */
  hasRoomFor(id: string): boolean {
    return this.byId.has(id) || this.byId.size < limits.learners;
  }

  /** A learner joined: listed at once, with no step until the first check. Returns whether they are new. */
  hello(hello: Hello, now: number): boolean {
    const known = this.byId.get(hello.learnerId);
    if (known) {
      known.name = hello.name;
      known.lastSeen = now;
      return false;
    }
    this.add({ id: hello.learnerId, name: hello.name, failing: [], joinedAt: now, stepSince: now, lastSeen: now });
    return true;
  }

  /** A check's report. Returns whether the learner is new to the room. */
  apply(report: Report, now: number): boolean {
    this.data.received += 1;
    const known = this.byId.get(report.learnerId);
    const learner: Learner = known ?? {
      id: report.learnerId,
      name: report.name,
      failing: [],
      joinedAt: now,
      stepSince: now,
      lastSeen: now,
    };
    if (learner.step !== report.step) learner.stepSince = now;
    learner.name = report.name;
    learner.step = report.step;
    learner.outcome = report.outcome;
    learner.failing = report.failing;
    learner.lastSeen = now;
    if (report.engine) learner.engine = report.engine;
    if (!known) this.add(learner);
    return !known;
  }

  kick(id: string): boolean {
    const learner = this.byId.get(id);
    this.kicked.add(id);
    this.data.kicked = [...this.kicked];
    if (!learner) return false;
    this.byId.delete(id);
    this.data.learners = this.data.learners.filter((l) => l.id !== id);
    return true;
  }

  private add(learner: Learner): void {
    this.byId.set(learner.id, learner);
    this.data.learners.push(learner);
  }

  snapshot(now: number, view: { admin: boolean; projector: boolean }): Snapshot {
    const learners = this.data.learners;
    return {
      now,
      received: this.data.received,
      admin: view.admin,
      projector: view.projector,
      steps: this.steps.map((step) => {
        const here = learners.filter((l) => l.step === step.id);
        const groups = new Map<string, { object: string; message: string; learners: number }>();
        for (const learner of here) {
          // A learner counts once per mistake, however many reports said it.
          const seen = new Set<string>();
          for (const f of learner.failing) {
            const key = failureKey(f);
            if (seen.has(key)) continue;
            seen.add(key);
            const group = groups.get(key);
            if (group) {
              group.learners += 1;
              group.message = f.message;
            } else groups.set(key, { object: f.object, message: f.message, learners: 1 });
          }
        }
        return {
          id: step.id,
          title: step.title,
          learners: here.length,
          passed: here.filter((l) => l.outcome === 'pass').length,
          failures: [...groups.values()].sort((a, b) => b.learners - a.learners).slice(0, 5),
        };
      }),
      learners: learners.map((l, i) => ({
        ...(view.admin && !view.projector ? { id: l.id } : {}),
        name: view.projector ? `Learner ${i + 1}` : l.name,
        ...(l.step === undefined ? {} : { step: l.step }),
        ...(l.outcome === undefined ? {} : { outcome: l.outcome }),
        failing: l.failing,
        engine: l.engine ?? 'ksqldb',
        stepSince: l.stepSince,
        lastSeen: l.lastSeen,
        idle: now - l.lastSeen >= idleAfterMs,
      })),
    };
  }
}

// ---- rate limits ----

/**
 * A token bucket per key (a learner id, an address): `capacity` requests at once, then `perSecond`. Full buckets are
 * forgotten, so a flood of new keys costs memory only while they are limited.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `key` has a token left, without taking it. */
  has(key: string): boolean {
    const bucket = this.buckets.get(key);
    if (!bucket) return true;
    return Math.min(this.capacity, bucket.tokens + ((this.now() - bucket.at) / 1000) * this.perSecond) >= 1;
  }

  /** Takes a token for `key`; false when it has none left. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return true;
  }

  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(key);
    }
  }
}

// ---- on disk ----

/** The room's state, or undefined when there is none; a file that is not a room is refused, never overwritten. */
export function readRoom(file: string): RoomData | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError(`cannot read the room's state ${file}: ${(error as Error).message}`);
  }
  try {
    const data = JSON.parse(raw) as RoomData;
    if (data.version !== 1 || typeof data.code !== 'string' || !Array.isArray(data.learners)) {
      throw new Error('not a room of this kit');
    }
    data.kicked ??= [];
    data.received ??= 0;
    return data;
  } catch (error) {
    throw new EnvironmentError(
      `the room's state ${file} is unreadable (${(error as Error).message})`,
      'start a new room with npm run room -- --reset (the old state is then replaced)',
    );
  }
}

/**
 * Writes the whole state to a new file, flushes it to the disk and renames it over the old one: a reader (or a
 * restart after kill -9 or a power cut) finds the old state or the new one, never half of one.
 */
export async function writeRoomAtomically(file: string, data: RoomData): Promise<void> {
  const text = JSON.stringify(data);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  renameSync(temporary, file);
}

/**
 * Group commit: every caller's change is on disk when its promise resolves, but however many call at once there is
 * at most one write in flight and one waiting, each carrying every change made before it started.
 */
export class GroupCommit {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly write: () => Promise<void>) {}

  commit(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => {
        this.writing = undefined;
      });
      return this.writing;
    }
    this.next ??= this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.commit();
      });
    return this.next;
  }
}
