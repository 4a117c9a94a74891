/**
 * Step 13 (monitoring syslog) on the real ksqlDB of the local stack: unsolved it fails, solved it passes, and each
 * seeded fault, typed into ksqlDB as a learner would, fails with its own message. The syslog events are the kit's
 * own generator's (npm run datagen -- syslog), started as solve starts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { runStep } from '#checks/engine.js';
import { applyResource } from '#checks/resources/index.js';
import { dropWithDependents } from '#checks/resources/ksql.js';
import type { StepResult } from '#checks/types.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithKsqlDb } from '#workshop/dev/testing/stack-context.js';
import { checkUntil as checkUntilVerdict, courseStep, verdict } from '#workshop/dev/testing/step-checks.js';

const step = courseStep;

describeWithKsqlDb('step 13 (monitoring syslog) on a real ksqlDB', (stack) => {
  let env: Record<string, string>;
  let state: string;
  const context = () => checkContext(stack());
  const client = () => new KsqlClient(context().services);
  const ksql = (sql: string) => client().statements(sql, { 'auto.offset.reset': 'earliest' });
  const check = () => runStep(step('step-13'), context(), { deadlineScale: 0.5, intervalMs: 500 });
  const solution = step('step-13').solution;
  const apply = async (...indexes: number[]) => {
    for (const index of indexes) await applyResource(context().services, solution[index] as never, step('step-13'));
  };
  const retype = async (name: string, sql: string) => {
    await dropWithDependents(client(), name);
    await ksql(sql);
  };
  const checkUntil = (wanted: (r: StepResult) => boolean, timeoutMs?: number) =>
    checkUntilVerdict('step-13', check, wanted, timeoutMs);

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'step-13-state-'));
    env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
    const reset = await runCli(['reset'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    if (env) await runCli(['reset'], env);
    rmSync(state, { recursive: true, force: true });
  }, 120_000);

  it('fails before the syslog generator runs, naming the topic', async () => {
    expect(verdict(await check())).toMatchObject({ outcome: 'fail', object: 'topic "syslog"' });
  });

  it('passes on the reference solution, once a minute has closed', async () => {
    const solve = await runCli(['solve', 'step-13'], env, 240_000);
    expect(solve.stdout).toContain('producer "syslog-producer": started in the background');
    const result = await checkUntil((r) => r.outcome === 'pass', 150_000);
    expect(result.expectations.map((e) => e.found)).toEqual([
      expect.stringMatching(/^\d+ records, \d+ new while checking; the newest are valid$/),
      'STREAM over "syslog", 8 columns (JSON)',
      expect.stringMatching(
        /^all \d+ records with MESSAGE LIKE '%Invalid user%' among the newest \d+ processed records of SYSLOG are there, and nothing else$/,
      ),
      expect.stringMatching(/^TABLE over "invalid_users_per_host", key HOST STRING \(KAFKA\), 1 columns/),
      expect.stringMatching(/^window \d\d:\d\d:00–\d\d:\d\d:00 \(UTC\): bastion-01 \d+.*, as in SYSLOG_INVALID_USERS/),
    ]);
  }, 240_000);

  it('the guide’s queries answer through npm run ksql: five attempts pushed, the bastion’s minutes pulled', async () => {
    const push = await runCli(
      ['ksql', '-f', 'steps/13-monitor-syslog/queries/invalid-users-push.sql', '--timeout', '60'],
      env,
      90_000,
    );
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/\| Invalid user /);
    expect(push.stdout).toMatch(/\(5 rows\)\n$/);
    const pull = await runCli(['ksql', '-f', 'steps/13-monitor-syslog/queries/attempts-pull.sql'], env, 60_000);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/\nbastion-01 +\| \d+ +\| \d+ +\| \d+/);
  }, 120_000);

  it('npm run topic shows the syslog events as the guide says, keyed by id', async () => {
    const run = await runCli(['topic', 'syslog', '--max', '5'], env, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\{"id":\d+,"log_time":\d+,"host":"[\w-]+","app":/);
  });

  it('LIKE in the wrong case catches the refused passwords instead', async () => {
    await retype(
      'SYSLOG_INVALID_USERS',
      "CREATE STREAM SYSLOG_INVALID_USERS WITH (KAFKA_TOPIC='syslog_invalid_users') AS SELECT ID, HOST, MESSAGE FROM SYSLOG WHERE MESSAGE LIKE '%invalid user%' EMIT CHANGES;",
    );
    const result = await checkUntil((r) => r.outcome === 'fail');
    expect(verdict(result)).toMatchObject({
      object: 'records of SYSLOG_INVALID_USERS',
      found: expect.stringMatching(
        /^SYSLOG_INVALID_USERS holds ID \d+ with MESSAGE "Failed password for invalid user \w+ from [\d.]+ port \d+ ssh2", which is not MESSAGE LIKE '%Invalid user%'$/,
      ),
      hint: expect.stringContaining("keep exactly the records with MESSAGE LIKE '%Invalid user%'"),
    });
  });

  it('the filter on the wrong column finds nothing', async () => {
    await retype(
      'SYSLOG_INVALID_USERS',
      "CREATE STREAM SYSLOG_INVALID_USERS WITH (KAFKA_TOPIC='syslog_invalid_users') AS SELECT ID, HOST, MESSAGE FROM SYSLOG WHERE APP LIKE '%Invalid user%' EMIT CHANGES;",
    );
    const result = await checkUntil((r) => r.outcome === 'fail');
    expect(verdict(result)).toMatchObject({
      object: 'records of SYSLOG_INVALID_USERS',
      found: expect.stringMatching(
        /^\d+ of the \d+ processed records of SYSLOG with MESSAGE LIKE '%Invalid user%' are not in SYSLOG_INVALID_USERS, e\.g\. ID \d+ with MESSAGE "Invalid user /,
      ),
    });
  });

  it('a count over the wrong window', async () => {
    await dropWithDependents(client(), 'SYSLOG_INVALID_USERS');
    await apply(2);
    await retype(
      'INVALID_USERS_PER_HOST',
      "CREATE TABLE INVALID_USERS_PER_HOST WITH (KAFKA_TOPIC='invalid_users_per_host') AS SELECT HOST, COUNT(*) AS ATTEMPTS FROM SYSLOG_INVALID_USERS WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY HOST EMIT CHANGES;",
    );
    const result = await checkUntil((r) => r.outcome === 'fail');
    expect(verdict(result)).toMatchObject({
      object: 'ksqlDB table INVALID_USERS_PER_HOST',
      found: 'a TUMBLING window of 5 min',
    });
  });

  it('reset step-13 stops the generator, drops the objects and deletes the topic', async () => {
    const reset = await runCli(['reset', 'step-13'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toContain('topic "syslog" deleted');
    const names = (await client().sources()).map((s) => s.name);
    expect(names.filter((n) => n.includes('SYSLOG') || n === 'INVALID_USERS_PER_HOST')).toEqual([]);
  }, 120_000);
});
