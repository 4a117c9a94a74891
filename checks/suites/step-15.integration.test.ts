/**
 * Step 15 (headless ksqlDB) on the real ksqlDB of the local stack: a second server from the same install, started by
 * `npm run headless -- start` on headless/queries.sql. Unsolved the step fails, solved it passes, and each seeded
 * fault — a statement that fails, a file that leaves out a step, a query given to the interactive server, a file
 * whose statement differs from development — fails with its own message. The interactive pipeline of steps 2-7 is
 * solved first: it is what the headless server's output is compared with.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { headlessFile } from '#checks/clients/headless.js';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { runStep } from '#checks/engine.js';
import { dropWithDependents } from '#checks/resources/ksql.js';
import type { StepResult } from '#checks/types.js';
import { repoPath } from '#core/state-dir.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { kitProcesses } from '#workshop/dev/testing/kit-processes.js';
import { setAside } from '#workshop/dev/testing/learner-file.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithKsqlDb } from '#workshop/dev/testing/stack-context.js';
import { checkUntil as checkUntilVerdict, courseStep, verdict } from '#workshop/dev/testing/step-checks.js';

const reference = readFileSync(repoPath('steps/15-headless-ksqldb/solution/queries.sql'), 'utf8');

describeWithKsqlDb('step 15 (headless ksqlDB) on a real ksqlDB', (stack) => {
  let env: Record<string, string>;
  let state: string;
  let restoreHeadless: () => void = () => undefined;
  const stateBefore = process.env.WORKSHOP_STATE_DIR;
  const context = () => checkContext(stack());
  const check = () => runStep(courseStep('step-15'), context(), { deadlineScale: 0.5, intervalMs: 500 });
  const checkUntil = (wanted: (r: StepResult) => boolean, timeoutMs?: number) =>
    checkUntilVerdict('step-15', check, wanted, timeoutMs);
  const headless = (action: string) => runCli(['headless', action], env, 240_000);
  const writeFile = (text: string) => writeFileSync(headlessFile(), text);

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'step-15-state-'));
    env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
    // The check runs in this process: it must find the headless server's pid and log where the commands put them.
    process.env.WORKSHOP_STATE_DIR = state;
    // A developer's own file is put back afterwards.
    restoreHeadless = setAside(headlessFile());
    const reset = await runCli(['reset'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const solve = await runCli(['solve', 'step-7'], env, 300_000);
    expect(solve.code, solve.stdout + solve.stderr).toBe(0);
  }, 420_000);

  afterAll(async () => {
    if (env) {
      await headless('stop');
      await runCli(['reset'], env);
    }
    restoreHeadless();
    if (stateBefore === undefined) delete process.env.WORKSHOP_STATE_DIR;
    else process.env.WORKSHOP_STATE_DIR = stateBefore;
    rmSync(state, { recursive: true, force: true });
  }, 180_000);

  it('fails before the file is written, naming it', async () => {
    expect(verdict(await check())).toMatchObject({
      outcome: 'fail',
      object: 'the headless ksqlDB server (service id workshop_headless_)',
      found: 'headless/queries.sql does not exist',
    });
  });

  it('passes on the reference solution: four queries of the file running, the same output as the CLI’s', async () => {
    const solve = await runCli(['solve', 'step-15'], env, 300_000);
    expect(solve.code, solve.stdout + solve.stderr).toBe(0);
    expect(solve.stdout).toContain('headless/queries.sql: written from steps/15-headless-ksqldb/solution/queries.sql');
    expect(solve.stdout).toMatch(
      /headless ksqlDB server started \(a process of the ksqlDB install at .*, service id workshop_headless_\) in [\d.]+ s: 4 queries of headless\/queries.sql running/,
    );
    const result = await checkUntil((r) => r.outcome === 'pass', 120_000);
    expect(result.expectations.map((e) => e.found)).toEqual([
      expect.stringMatching(
        /^running 4 queries of headless\/queries.sql \(CSAS_POOR_RATINGS_0, CSAS_RATINGS_WITH_CUSTOMER_DATA_1, CSAS_UNHAPPY_PLATINUM_CUSTOMERS_2, CTAS_RATINGS_BY_CLUB_STATUS_1MIN_3\); http:\/\/127.0.0.1:\d+ refuses interactive statements$/,
      ),
      expect.stringMatching(/^\d+ of the newest \d+ records of poor_ratings in it, each with the same USER_ID, STARS/),
      expect.stringMatching(
        /^\d+ of the newest \d+ records of ratings_with_customer_data in it, each with the same ID/,
      ),
    ]);
  }, 420_000);

  it('the guide’s commands answer: the status lists the queries and the refusal, the topic holds the output', async () => {
    const status = await headless('status');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/CSAS_POOR_RATINGS_0 +POOR_RATINGS +Stable +1/);
    expect(status.stdout).toMatch(/CTAS_RATINGS_BY_CLUB_STATUS_1MIN_3 +RATINGS_BY_CLUB_STATUS_1MIN +Stable +1/);
    expect(status.stdout).toMatch(/http:\/\/127.0.0.1:\d+ refuses connections: a headless server takes no statements/);
    const topic = await runCli(['topic', 'headless_unhappy_platinum_customers', '--max', '3'], env, 60_000);
    expect(topic.code, topic.stderr).toBe(0);
    expect(topic.stdout).toContain('"CLUB_STATUS":"platinum"');
    const logs = await headless('logs');
    expect(logs.stdout).toMatch(/\(the last 200 of \d+ lines; all of them: .*ksqldb-headless.log\)/);
    expect(logs.stdout).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO /m);
  }, 120_000);

  it('a statement that fails stops the server at start: start and check give ksqlDB’s own reason', async () => {
    writeFile(reference.replace('WHERE STARS < 3 EMIT', 'WHERE STARZ < 3 EMIT'));
    const start = await headless('start');
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(
      "the headless ksqlDB server stopped at start: a statement of headless/queries.sql failed. ksqlDB says: Could not determine output schema for query due to error: Line: 20, Col: 31: WHERE column 'STARZ' cannot be resolved.",
    );
    expect(verdict(await check())).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(
        /^it stopped at start, on a statement of headless\/queries.sql\. ksqlDB says: .*'STARZ' cannot be resolved\.$/,
      ),
      hint: expect.stringContaining('mend that statement'),
    });
    expect(kitProcesses(state).filter((p) => p.title.includes('ksqldb-headless'))).toEqual([]);
  }, 300_000);

  it('a file that leaves out a step fails, naming the step and what the file has', async () => {
    writeFile(reference.slice(0, reference.indexOf('-- Step 6')) + reference.slice(reference.indexOf('-- Step 7')));
    expect(verdict(await check())).toMatchObject({
      outcome: 'fail',
      found:
        "headless/queries.sql leaves out step 6's UNHAPPY_PLATINUM_CUSTOMERS: it has POOR_RATINGS, RATINGS_WITH_CUSTOMER_DATA, RATINGS_BY_CLUB_STATUS_1MIN",
    });
  });

  it('an output topic not named headless_… is refused by start, naming the line', async () => {
    writeFile(reference.replace("'headless_poor_ratings'", "'poor_ratings'"));
    const start = await headless('start');
    expect(start.code).toBe(2);
    expect(start.stderr).toContain(
      'headless/queries.sql, line 19: CREATE STREAM POOR_RATINGS writes topic poor_ratings, which is not a headless_… topic',
    );
  });

  it('a query given to the interactive server instead fails, naming the query and what to drop', async () => {
    writeFile(reference);
    const client = new KsqlClient(context().services);
    await client.statements(
      "CREATE STREAM POOR_RATINGS_PROD WITH (KAFKA_TOPIC = 'headless_poor_ratings') AS SELECT * FROM RATINGS WHERE STARS < 3 EMIT CHANGES;",
    );
    try {
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(
          /^the interactive ksqlDB server runs 1 query writing headless topics, e\.g\. CSAS_POOR_RATINGS_PROD_\d+ writing headless_poor_ratings: headless\/queries.sql was given to the interactive server, not deployed$/,
        ),
        hint: expect.stringContaining('DROP STREAM POOR_RATINGS_PROD DELETE TOPIC;'),
      });
    } finally {
      await dropWithDependents(client, 'POOR_RATINGS_PROD');
    }
  }, 120_000);

  /** A fresh deployment of the reference with its poor-ratings filter changed; the check's verdict on its output. */
  const deployFilter = async (filter: string) => {
    const reset = await runCli(['reset', 'step-15'], env, 180_000);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    writeFile(reference.replace('WHERE STARS < 3 EMIT', `WHERE ${filter} EMIT`));
    const start = await headless('start');
    expect(start.code, start.stdout + start.stderr).toBe(0);
    return verdict(await checkUntil((r) => r.outcome === 'fail' && r.expectations[1]?.outcome === 'fail', 90_000));
  };

  it('a file whose statement differs from development fails: its output has records the CLI’s has not', async () => {
    expect(await deployFilter('STARS < 4')).toMatchObject({
      object: 'topic "headless_poor_ratings"',
      found: expect.stringMatching(
        /^it holds \d+ record\(s\) that poor_ratings has not, e\.g\. RATING_ID \d+ \(USER_ID -?\d+, STARS 3, .*\): the two servers do not run the same statement$/,
      ),
      hint: expect.stringContaining('npm run reset step-15'),
    });
  }, 400_000);

  it('a file whose statement keeps fewer records fails: the CLI’s output has records its has not', async () => {
    expect(await deployFilter('STARS < 2')).toMatchObject({
      object: 'topic "headless_poor_ratings"',
      found: expect.stringMatching(
        /^it lacks \d+ record\(s\) that poor_ratings has in the same time, e\.g\. RATING_ID \d+ \(USER_ID -?\d+, STARS 2, .*\): the two servers do not run the same statement$/,
      ),
    });
  }, 400_000);

  it('reset stops the server and removes its topics and groups, leaving the file', async () => {
    const reset = await runCli(['reset', 'step-15'], env, 180_000);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toContain('headless ksqlDB server "ksqldb-headless" stopped');
    expect(reset.stdout).toContain('topic "headless_poor_ratings" deleted');
    expect(reset.stdout).toMatch(/\d+ consumer groups of service id workshop_headless_ deleted/);
    expect(existsSync(headlessFile())).toBe(true);
    expect(kitProcesses(state).filter((p) => p.title.includes('ksqldb-headless'))).toEqual([]);
    const status = await headless('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('not running');
  }, 240_000);
});
