import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import {
  codesMatch,
  GroupCommit,
  Invalid,
  idleAfterMs,
  limits,
  newJoinCode,
  newRoom,
  normaliseCode,
  parseHello,
  parseReport,
  RateLimiter,
  Room,
  readRoom,
  showCode,
  writeRoomAtomically,
} from './room-state.js';

const steps = [
  { id: 'step-1', title: 'Start the platform' },
  { id: 'step-2', title: 'Produce ratings' },
  { id: 'step-3', title: 'Stream customers' },
];
const ids = steps.map((s) => s.id);
const learner = (n: number) => `learner-${String(n).padStart(12, '0')}`;
const report = (over: Record<string, unknown> = {}) => ({
  code: 'ABCDEFGH',
  learnerId: learner(1),
  name: 'Ada',
  step: 'step-3',
  outcome: 'fail',
  failing: [{ object: 'topic "mysql.demo.CUSTOMERS"', message: 'expected flat rows, found 3 envelopes' }],
  ...over,
});

describe('a report', () => {
  it('is taken as sent when it holds exactly what a report holds', () => {
    const parsed = parseReport(report({ name: '  Ada  ' }), ids);
    expect(parsed).toEqual({
      learnerId: learner(1),
      name: 'Ada',
      step: 'step-3',
      outcome: 'fail',
      failing: [{ object: 'topic "mysql.demo.CUSTOMERS"', message: 'expected flat rows, found 3 envelopes' }],
    });
  });

  it.each([
    ['not an object', [1, 2], /not an object/],
    ['a field reports do not hold', report({ hostname: 'ada-laptop' }), /does not hold: hostname/],
    ['a step the course lacks', report({ step: 'step-99' }), /step is not a step of this course/],
    ['an unknown outcome', report({ outcome: 'great' }), /outcome must be one of/],
    ['a short learner id', report({ learnerId: 'abc' }), /learnerId must be/],
    ['a learner id with a slash', report({ learnerId: '../../etc/passwd/xxxx' }), /learnerId must be/],
    ['an empty name', report({ name: '   ' }), /name is blank/],
    ['a long name', report({ name: 'x'.repeat(limits.nameChars + 1) }), /name must be 1 to 40/],
    ['an ANSI escape in the name', report({ name: 'Ada\u001b[2J' }), /control characters/],
    ['a bidi override in the name', report({ name: 'Ada\u202egnp.exe' }), /control characters/],
    ['failing not a list', report({ failing: 'all' }), /failing must be a list/],
    ['too many failures', report({ failing: Array(21).fill({ object: 'x', message: 'y' }) }), /at most 20/],
    ['a failure with extra fields', report({ failing: [{ object: 'x', message: 'y', path: '/a' }] }), /entry 1/],
    ['a failure without an object', report({ failing: [{ message: 'y' }] }), /entry 1's object is not a string/],
    ['a long message', report({ failing: [{ object: 'x', message: 'm'.repeat(501) }] }), /0 to 500/],
  ])('is refused with %s, naming what is wrong', (_what, body, reason) => {
    expect(() => parseReport(body, ids)).toThrow(Invalid);
    expect(() => parseReport(body, ids)).toThrow(reason);
  });

  it('may carry a name like <script>: it is data, and the page shows it as text', () => {
    expect(parseReport(report({ name: '<script>alert(1)</script>' }), ids).name).toBe('<script>alert(1)</script>');
  });

  it('a hello holds a learner id and a name only', () => {
    expect(parseHello({ code: 'X', learnerId: learner(2), name: 'Bo' })).toEqual({ learnerId: learner(2), name: 'Bo' });
    expect(() => parseHello({ code: 'X', learnerId: learner(2), name: 'Bo', step: 'step-1' })).toThrow(/step/);
  });
});

describe('the join code', () => {
  it('is 8 characters of Crockford base 32, different each time', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newJoinCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
  });

  it('is shown with a dash and matched however it is typed', () => {
    expect(showCode('K7QFM2XD')).toBe('K7QF-M2XD');
    expect(normaliseCode(' k7qf-m2xd ')).toBe('K7QFM2XD');
    expect(codesMatch('k7qf-m2xd', 'K7QFM2XD')).toBe(true);
    expect(codesMatch('K7QF-M2XO', 'K7QFM2X0')).toBe(true);
    expect(codesMatch('K7QF-M2XE', 'K7QFM2XD')).toBe(false);
    expect(codesMatch('', 'K7QFM2XD')).toBe(false);
    expect(codesMatch('K7QFM2XD-AND-MORE', 'K7QFM2XD')).toBe(false);
  });
});

describe('the room', () => {
  it('counts learners per step and groups the same mistake across learners, whatever its numbers', () => {
    const room = new Room(newRoom(0), steps);
    for (let n = 1; n <= 9; n++) {
      room.apply(
        parseReport(
          report({
            learnerId: learner(n),
            failing: [{ object: 'topic "c"', message: `expected flat rows, found ${n} envelopes` }],
          }),
          ids,
        ),
        1_000,
      );
    }
    room.apply(parseReport(report({ learnerId: learner(10), step: 'step-1', outcome: 'pass', failing: [] }), ids), 1);
    const snapshot = room.snapshot(2_000, { admin: false, projector: false });
    expect(snapshot.steps.map((s) => [s.id, s.learners, s.passed])).toEqual([
      ['step-1', 1, 1],
      ['step-2', 0, 0],
      ['step-3', 9, 0],
    ]);
    expect(snapshot.steps[2]?.failures).toEqual([
      { object: 'topic "c"', message: 'expected flat rows, found 9 envelopes', learners: 9 },
    ]);
    expect(snapshot.received).toBe(10);
  });

  it('keeps the time a learner arrived at their step until they move on', () => {
    const room = new Room(newRoom(0), steps);
    room.apply(parseReport(report({ step: 'step-2' }), ids), 1_000);
    room.apply(parseReport(report({ step: 'step-2' }), ids), 5_000);
    expect(room.snapshot(6_000, { admin: false, projector: false }).learners[0]).toMatchObject({
      stepSince: 1_000,
      lastSeen: 5_000,
    });
    room.apply(parseReport(report({ step: 'step-3' }), ids), 9_000);
    expect(room.snapshot(9_000, { admin: false, projector: false }).learners[0]?.stepSince).toBe(9_000);
  });

  it('marks who has not checked in for 10 minutes', () => {
    const room = new Room(newRoom(0), steps);
    room.apply(parseReport(report({ learnerId: learner(1) }), ids), 0);
    room.apply(parseReport(report({ learnerId: learner(2) }), ids), idleAfterMs);
    const idle = room.snapshot(idleAfterMs, { admin: false, projector: false }).learners.map((l) => l.idle);
    expect(idle).toEqual([true, false]);
  });

  it('hides names in projector mode, and learner ids from everyone but the instructor', () => {
    const room = new Room(newRoom(0), steps);
    room.hello({ learnerId: learner(1), name: 'Ada' }, 0);
    room.apply(parseReport(report({ learnerId: learner(2), name: 'Bo' }), ids), 0);
    const viewer = room.snapshot(0, { admin: false, projector: false }).learners;
    expect(viewer.map((l) => [l.name, l.id])).toEqual([
      ['Ada', undefined],
      ['Bo', undefined],
    ]);
    expect(viewer[0]?.step).toBeUndefined();
    const projector = JSON.stringify(room.snapshot(0, { admin: true, projector: true }));
    expect(projector).not.toContain('Ada');
    expect(projector).not.toContain(learner(1));
    expect(projector).toContain('Learner 2');
    expect(room.snapshot(0, { admin: true, projector: false }).learners[1]?.id).toBe(learner(2));
  });

  it('forgets a removed learner and keeps refusing them', () => {
    const room = new Room(newRoom(0), steps);
    room.apply(parseReport(report(), ids), 0);
    expect(room.kick(learner(1))).toBe(true);
    expect(room.size).toBe(0);
    expect(room.isKicked(learner(1))).toBe(true);
    expect(new Room(room.data, steps).isKicked(learner(1))).toBe(true);
  });

  it('has room for at most 500 learners', () => {
    const room = new Room(newRoom(0), steps);
    for (let n = 0; n < limits.learners; n++) room.hello({ learnerId: learner(n), name: `L${n}` }, 0);
    expect(room.hasRoomFor(learner(1))).toBe(true);
    expect(room.hasRoomFor(learner(limits.learners))).toBe(false);
  });
});

describe('the rate limit', () => {
  it('lets a burst through, then one a second per learner, each learner on their own', () => {
    let now = 0;
    const limiter = new RateLimiter(5, 1, () => now);
    const taken = Array.from({ length: 7 }, () => limiter.take('ada'));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
    expect(limiter.take('bo')).toBe(true);
    now = 999;
    expect(limiter.take('ada')).toBe(false);
    now = 1_000;
    expect(limiter.take('ada')).toBe(true);
    now = 60_000;
    expect(Array.from({ length: 6 }, () => limiter.take('ada')).filter(Boolean)).toHaveLength(5);
  });

  it('allows 10 wrong codes a minute, so 40 bits stay out of reach', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 1 / 6, () => now);
    let allowed = 0;
    for (; now < 60 * 60_000; now += 100) if (limiter.take('10.0.0.9')) allowed++;
    // An hour of trying: about 610 guesses of 2^40 codes.
    expect(allowed).toBeLessThan(620);
  });
});

describe('the room on disk', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'room-state-'));

  it('is written whole and read back the same, with no temporary file left', async () => {
    const folder = dir();
    const file = path.join(folder, 'room', 'room.json');
    const room = new Room(newRoom(5, 'ABCDEFGH'), steps);
    room.apply(parseReport(report(), ids), 10);
    await writeRoomAtomically(file, room.data);
    expect(readRoom(file)).toEqual(room.data);
    expect(readdirSync(path.dirname(file))).toEqual(['room.json']);
  });

  it('is absent before the first room, and refused (never overwritten) when it is not a room', () => {
    const folder = dir();
    expect(readRoom(path.join(folder, 'none.json'))).toBeUndefined();
    const file = path.join(folder, 'room.json');
    writeFileSync(file, '{"version":1,"code":');
    expect(() => readRoom(file)).toThrow(EnvironmentError);
    expect(() => readRoom(file)).toThrow(/unreadable/);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"code":');
  });

  it('is saved by one write in flight and one waiting, however many changes arrive at once', async () => {
    const folder = dir();
    const file = path.join(folder, 'room.json');
    const room = new Room(newRoom(0, 'ABCDEFGH'), steps);
    let writes = 0;
    const commit = new GroupCommit(async () => {
      writes++;
      await writeRoomAtomically(file, room.data);
    });
    await Promise.all(
      Array.from({ length: 50 }, (_, n) => {
        room.apply(parseReport(report({ learnerId: learner(n) }), ids), n);
        return commit.commit();
      }),
    );
    expect(writes).toBeLessThanOrEqual(2);
    expect(readRoom(file)?.learners).toHaveLength(50);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
});
