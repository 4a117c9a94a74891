import { existsSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepResult } from '#checks/types.js';
import { UsageError } from '#core/errors.js';
import { npmTookFlags, parseCode, parseRoomUrl } from './join-command.js';
import {
  buildReport,
  forgetMembership,
  type Membership,
  membershipFile,
  readMembership,
  redact,
  reportToRoom,
  writeMembership,
} from './reporter.js';
import { parseReport } from './room-state.js';

const names = [
  { text: '/Users/Ada Lovelace', as: '<path>' },
  { text: 'adalovelace', as: '<user>' },
  { text: 'ada-laptop.local', as: '<host>' },
  { text: 'ada-laptop', as: '<host>' },
];

describe('what leaves the learner’s laptop', () => {
  it.each([
    ['a URL', 'Kafka Connect at http://127.0.0.1:8083 is not reachable', 'Kafka Connect at <address> is not reachable'],
    ['host:port', 'no broker at kafka:29092 or localhost:9092', 'no broker at <address> or <address>'],
    ['an IP address', 'MySQL at 192.168.1.7 refused', 'MySQL at <address> refused'],
    ['an e-mail address', 'a row for ada@example.com', 'a row for <email>'],
    ['a file path', 'cannot read /home/adalovelace/work/kit/notes.json now', 'cannot read <path> now'],
    ['a Windows path', 'cannot read C:\\Users\\ada\\kit\\x.json', 'cannot read <path>'],
    [
      'record contents',
      'Debezium change envelopes ({"before":null,"after":{"ID":1,"EMAIL":"x"}}), not flat rows',
      'Debezium change envelopes ({…}), not flat rows',
    ],
    ['a list of values', 'columns [ID, NAME] in [1, 2]', 'columns […] in […]'],
    ['a long quoted value', `message "${'great flight '.repeat(5)}"`, 'message "…"'],
    ['the user name', 'owned by adalovelace', 'owned by <user>'],
    ['the machine name', 'on ada-laptop', 'on <host>'],
    ['the machine name, spelt otherwise', 'on Ada-Laptop.local and ADA-LAPTOP', 'on <host> and <host>'],
    ['the user name in capitals', 'owned by AdaLovelace', 'owned by <user>'],
    ['a home folder with a space', 'cannot read /Users/Ada Lovelace/kit/x.json', 'cannot read <path>/kit/x.json'],
    ['a UNC path', 'cannot read \\\\fileserver\\share\\ada\\x.json now', 'cannot read <path> now'],
    [
      'an IPv6 address',
      'no broker at fe80::1c2a:3ff:fe4b:12 or 2001:db8:0:0:0:0:0:1',
      'no broker at <address> or <address>',
    ],
    ['control characters and new lines', 'line one\n\u001b[31mline two\u0007', 'line one line two'],
  ])('leaves out %s', (_what, text, redacted) => {
    expect(redact(text, names)).toBe(redacted);
  });

  it('keeps what says what is wrong: object names, expectations, counts', () => {
    const text = "expected RUNNING with 1 task(s) RUNNING, found FAILED (task 0: Access denied for user 'debezium')";
    expect(redact(text, names)).toBe(text);
    const times = 'window 12:30:00 to 12:31:00 of mysql.demo.CUSTOMERS, via io.debezium.connector.mysql';
    expect(redact(times, names)).toBe(times);
  });

  it('a report holds the name, the learner id, the step, the outcome and each failing object and message', () => {
    const result: StepResult = {
      id: 'step-3',
      title: 'Stream customers',
      outcome: 'fail',
      next: 'read steps/03-stream-customers-cdc/guide.md',
      expectations: [
        { kind: 'k', object: 'service Kafka', outcome: 'pass', expected: 'a', found: 'b', hint: 'h', elapsedMs: 1 },
        {
          kind: 'table-in-topic',
          object: 'topic "mysql.demo.CUSTOMERS"',
          outcome: 'fail',
          expected: 'flat rows',
          found: 'envelopes ({"after":{"EMAIL":"ada@example.com"}}) at /home/adalovelace/kit',
          hint: 'add the unwrap transform',
          elapsedMs: 5,
        },
      ],
    };
    const membership: Membership = {
      url: 'http://10.0.0.2:8090',
      code: 'ABCDEFGH',
      learnerId: 'learner-000000000001',
      name: 'Ada',
    };
    const built = buildReport(result, membership, names, 'flink');
    expect(built).toEqual({
      learnerId: 'learner-000000000001',
      name: 'Ada',
      step: 'step-3',
      outcome: 'fail',
      failing: [
        { object: 'topic "mysql.demo.CUSTOMERS"', message: 'expected flat rows, found envelopes ({…}) at <path>' },
      ],
      engine: 'flink',
    });
    // What the learner sends is what the room takes; an engine the kit does not know is refused.
    expect(parseReport({ code: 'x', ...built }, ['step-3'])).toEqual(built);
    expect(() => parseReport({ code: 'x', ...built, engine: 'spark' }, ['step-3'])).toThrow(
      'engine must be one of ksqldb, flink',
    );
  });
});

describe('joining', () => {
  it('remembers the room in the state folder, readable by the learner only, and forgets it on leaving', () => {
    const env = { WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-join-')) };
    expect(readMembership(env)).toBeUndefined();
    const membership = { url: 'http://10.0.0.2:8090', code: 'ABCDEFGH', learnerId: 'x'.repeat(22), name: 'Ada' };
    writeMembership(membership, env);
    expect(readMembership(env)).toEqual(membership);
    if (process.platform !== 'win32') expect(statSync(membershipFile(env)).mode & 0o077).toBe(0);
    expect(forgetMembership(env)).toBe(true);
    expect(existsSync(membershipFile(env))).toBe(false);
    expect(forgetMembership(env)).toBe(false);
  });

  it('sends nothing before a learner joins', () => {
    const env = { WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-none-')) };
    const result: StepResult = { id: 'step-1', title: 't', outcome: 'pass', next: '', expectations: [] };
    expect(reportToRoom(result, env)).toBe(false);
  });

  it.each([
    ['192.168.1.23:8090', 'http://192.168.1.23:8090'],
    ['http://192.168.1.23:8090/', 'http://192.168.1.23:8090'],
    ['https://room.example:443', 'https://room.example'],
  ])('takes the address %s', (typed, url) => {
    expect(parseRoomUrl(typed)).toBe(url);
  });

  it.each([
    ['ftp://192.168.1.23', /not an http:\/\/ address/],
    ['http://192.168.1.23:8090/api/report', /more than the room's address/],
    ['http://[nonsense', /not the room's address/],
  ])('refuses the address %s, saying what to type', (typed, message) => {
    expect(() => parseRoomUrl(typed)).toThrow(UsageError);
    expect(() => parseRoomUrl(typed)).toThrow(message);
  });

  it('takes a code however it is typed, and refuses what cannot be one', () => {
    expect(parseCode('k7qf-m2xd')).toBe('K7QFM2XD');
    expect(() => parseCode('K7QF')).toThrow(/8 letters and digits, like K7QF-M2XD/);
    expect(() => parseCode('K7QF-M2XU')).toThrow(UsageError);
  });
});

describe('a join line typed in PowerShell', () => {
  it('gets back the flags npm kept for itself when npm.ps1 dropped the --', () => {
    expect(npmTookFlags({ npm_lifecycle_event: 'join', npm_config_name: 'Ada' })).toEqual({ name: 'Ada' });
    expect(npmTookFlags({ npm_lifecycle_event: 'join', npm_config_leave: 'true' })).toEqual({ leave: true });
    // Only under npm run join: a setting of the learner's own npm elsewhere is not a name.
    expect(npmTookFlags({ npm_lifecycle_event: 'check', npm_config_name: 'Ada' })).toEqual({});
    expect(npmTookFlags({})).toEqual({});
  });
});

describe('a report of many failures', () => {
  it('stays within the room’s size limit, keeping the first failures', () => {
    const long = `${'€'.repeat(300)} "quoted" \\ ${'x'.repeat(300)}`;
    const result = {
      id: 'step-3',
      title: 'x',
      outcome: 'fail',
      expectations: Array.from({ length: 20 }, (_, i) => ({
        kind: 'k',
        object: `object ${i} ${'€'.repeat(150)}`,
        outcome: 'fail',
        expected: long,
        found: long,
        hint: '',
        elapsedMs: 1,
      })),
      next: '',
    } as unknown as StepResult;
    const built = buildReport(
      result,
      { url: 'http://x', code: 'ABCDEFGH', learnerId: 'a'.repeat(32), name: 'Ada' },
      [],
    );
    expect(Buffer.byteLength(JSON.stringify({ ...built, code: 'ABCDEFGH' }))).toBeLessThanOrEqual(16 * 1024);
    expect(built.failing.length).toBeGreaterThan(0);
    expect(built.failing[0]?.object).toMatch(/^object 0 /);
  });
});
