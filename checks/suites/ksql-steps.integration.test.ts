/**
 * Steps 4-7 on the real ksqlDB of the local stack: each unsolved step fails, each solved step passes, and each seeded
 * fault (a learner's likely mistake, typed into ksqlDB as a learner would) fails with its own message. The pipeline's
 * data is the learner's: the kit's producer and step 3's connector, started once by solve.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { loadCourse, type Step } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { applyResource } from '#checks/resources/index.js';
import { dropWithDependents } from '#checks/resources/ksql.js';
import type { StepResult } from '#checks/types.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithKsqlDb } from '#workshop/dev/testing/stack-context.js';

const course = loadCourse();
const step = (id: string): Step => {
  const found = course.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

/** The expectation that decided the step: the first that did not pass. */
function verdict(result: StepResult) {
  const decisive = result.expectations.find((e) => e.outcome !== 'pass') ?? result.expectations.at(-1);
  return { outcome: result.outcome, object: decisive?.object, found: decisive?.found, hint: decisive?.hint };
}

describeWithKsqlDb('steps 4-7 on a real ksqlDB', (stack) => {
  let env: Record<string, string>;
  let state: string;
  const context = () => checkContext(stack());
  const client = () => new KsqlClient(context().services);
  const ksql = (sql: string) => client().statements(sql, { 'auto.offset.reset': 'earliest' });
  const check = (id: string) => runStep(step(id), context(), { deadlineScale: 0.5, intervalMs: 500 });
  const solveOnly = async (id: string) => {
    const s = step(id);
    for (const resource of s.solution) await applyResource(context().services, resource, s);
  };
  /** Drops an object and what is built on it, as a learner starting a step again would. */
  const drop = async (...names: string[]) => {
    for (const name of names) await dropWithDependents(client(), name);
  };
  /** Waits until a check of the step ends as expected (records take a moment to flow through a new query). */
  const checkUntil = async (id: string, wanted: (r: StepResult) => boolean, timeoutMs = 60_000) =>
    waitFor({
      what: `${id} to reach the expected verdict`,
      timeoutMs,
      intervalMs: 2_000,
      probe: async () => {
        const result = await check(id);
        return wanted(result) ? result : new NotYet(JSON.stringify(verdict(result)));
      },
    });

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'ksql-steps-state-'));
    env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
    const reset = await runCli(['reset'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const solve = await runCli(['solve', 'step-3'], env);
    expect(solve.code, solve.stdout + solve.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    if (env) await runCli(['reset'], env);
    rmSync(state, { recursive: true, force: true });
  }, 120_000);

  describe('step 4: filter the poor ratings', () => {
    it('fails before RATINGS is declared, naming it', async () => {
      await drop('RATINGS');
      expect(verdict(await check('step-4'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream RATINGS',
        found: expect.stringMatching(/^no stream or table RATINGS; there are: /),
      });
    });

    it('passes on the reference solution, and solving again leaves it unchanged', async () => {
      await solveOnly('step-4');
      const result = await checkUntil('step-4', (r) => r.outcome === 'pass');
      expect(result.expectations.map((e) => e.outcome)).toEqual(['pass', 'pass', 'pass']);
      expect(result.expectations[2]?.found).toMatch(/^all \d+ records with STARS < 3 among the newest \d+ processed/);
      const again = await applyResource(context().services, step('step-4').solution[1] as never, step('step-4'));
      expect(again).toEqual([
        'ksqlDB stream POOR_RATINGS: already there and its check finds nothing wrong, left unchanged',
      ]);
    });

    it('npm run ksql takes a block pasted from a guide, which begins with a -- comment', async () => {
      const pasted = '-- The streams so far\nSHOW STREAMS;';
      const run = await runCli(['ksql', pasted], env, 60_000);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('POOR_RATINGS');
      expect(run.stderr).not.toContain('Unknown option');
    });

    it('a BIGINT key in the KAFKA format: every key fails, in ksqlDB’s words', async () => {
      await drop('RATINGS');
      await ksql(
        "CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT, RATING_TIME BIGINT, CHANNEL VARCHAR, MESSAGE VARCHAR) WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');" +
          "CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC='poor_ratings') AS SELECT * FROM RATINGS WHERE STARS < 3 EMIT CHANGES;",
      );
      const result = await checkUntil('step-4', (r) => /LongDeserializer/.test(verdict(r).found ?? ''));
      expect(verdict(result)).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream RATINGS',
        found: expect.stringMatching(
          /^key RATING_ID BIGINT in KEY_FORMAT 'KAFKA', which cannot read the keys of "ratings"; ksqlDB could not read the key of a record of topic "ratings": .*Size of data received by LongDeserializer is not 8/,
        ),
        hint: expect.stringContaining(
          "RATING_ID with BIGINT or INTEGER in KEY_FORMAT 'JSON', or STRING in KEY_FORMAT 'KAFKA'",
        ),
      });
    });

    it('STARS <= 3 keeps ratings that are not poor', async () => {
      await drop('RATINGS');
      await solveOnly('step-4');
      await drop('POOR_RATINGS');
      await ksql(
        "CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC='poor_ratings') AS SELECT * FROM RATINGS WHERE STARS <= 3 EMIT CHANGES;",
      );
      const result = await checkUntil('step-4', (r) => r.outcome === 'fail');
      expect(verdict(result)).toMatchObject({
        object: 'records of POOR_RATINGS',
        found: expect.stringMatching(/^POOR_RATINGS holds RATING_ID \d+ with STARS 3, which is not STARS < 3$/),
      });
    });

    it('STARS < 2 misses the two-star ratings', async () => {
      await drop('POOR_RATINGS');
      await ksql(
        "CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC='poor_ratings') AS SELECT * FROM RATINGS WHERE STARS < 2 EMIT CHANGES;",
      );
      const result = await checkUntil('step-4', (r) => r.outcome === 'fail');
      expect(verdict(result)).toMatchObject({
        object: 'records of POOR_RATINGS',
        found: expect.stringMatching(
          /^\d+ of the \d+ processed records of RATINGS with STARS < 3 are not in POOR_RATINGS, e\.g\. RATING_ID \d+ with STARS 2$/,
        ),
      });
    });

    it('a query terminated behind the kit’s back', async () => {
      await drop('POOR_RATINGS');
      await solveOnly('step-4');
      const [queries] = await ksql('SHOW QUERIES;');
      const writer = queries?.queries?.find((q) => q.sinks.includes('POOR_RATINGS'));
      expect(writer).toBeDefined();
      await ksql(`TERMINATE ${writer?.id};`);
      expect(verdict(await check('step-4'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream POOR_RATINGS',
        found:
          'STREAM POOR_RATINGS exists, but no query writes it: its query was terminated, or it was declared without AS SELECT',
      });
      // Solve sees it is wrong and replaces it.
      const solved = await applyResource(context().services, step('step-4').solution[1] as never, step('step-4'));
      expect(solved.at(-1)).toMatch(/^ksqlDB stream POOR_RATINGS: replaced from/);
      await checkUntil('step-4', (r) => r.outcome === 'pass');
    });

    it('RATINGS declared as a table', async () => {
      await drop('RATINGS');
      await ksql(
        "CREATE TABLE RATINGS (RATING_ID BIGINT PRIMARY KEY, STARS INT) WITH (KAFKA_TOPIC='ratings', KEY_FORMAT='JSON', VALUE_FORMAT='JSON');",
      );
      expect(verdict(await check('step-4'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream RATINGS',
        found: 'RATINGS is a TABLE',
      });
      await drop('RATINGS');
      await solveOnly('step-4');
    });
  });

  describe('step 5: join the ratings to the customers', () => {
    beforeAll(async () => {
      await solveOnly('step-4');
    }, 60_000);

    it('passes on the reference solution', async () => {
      await solveOnly('step-5');
      const result = await checkUntil('step-5', (r) => r.outcome === 'pass');
      expect(result.expectations[2]?.found).toMatch(
        /^all \d+ records of RATINGS that have a row in CUSTOMERS are there with FULL_NAME, CLUB_STATUS, EMAIL from that row/,
      );
    });

    it('an INT key in the KAFKA format: the table reads no key, the join finds no customer', async () => {
      await drop('CUSTOMERS');
      await ksql(
        "CREATE TABLE CUSTOMERS (ID INT PRIMARY KEY, FIRST_NAME VARCHAR, LAST_NAME VARCHAR, EMAIL VARCHAR, CLUB_STATUS VARCHAR) WITH (KAFKA_TOPIC='mysql.demo.CUSTOMERS', VALUE_FORMAT='JSON');",
      );
      const result = await check('step-5');
      expect(verdict(result)).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB table CUSTOMERS',
        found: expect.stringMatching(
          /^key ID INTEGER in KEY_FORMAT 'KAFKA', which cannot read the keys of "mysql\.demo\.CUSTOMERS"/,
        ),
      });
      // With the join on it, ksqlDB says why in its processing log, and the check shows it.
      const reference = step('step-5').solution[1];
      if (reference) await applyResource(context().services, reference, step('step-5'));
      const withJoin = await checkUntil('step-5', (r) => /IntegerDeserializer/.test(verdict(r).found ?? ''));
      expect(verdict(withJoin).found).toMatch(/Size of data received by IntegerDeserializer is not 4/);
    });

    it('CUSTOMERS declared as a stream', async () => {
      await drop('CUSTOMERS');
      await ksql(
        "CREATE STREAM CUSTOMERS (ID INT KEY, FIRST_NAME VARCHAR, LAST_NAME VARCHAR, EMAIL VARCHAR, CLUB_STATUS VARCHAR) WITH (KAFKA_TOPIC='mysql.demo.CUSTOMERS', KEY_FORMAT='JSON', VALUE_FORMAT='JSON');",
      );
      expect(verdict(await check('step-5'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB table CUSTOMERS',
        found: 'CUSTOMERS is a STREAM',
        hint: expect.stringMatching(/^a table holds the latest row per key/),
      });
      await drop('CUSTOMERS');
    });

    it('a join on the wrong column', async () => {
      await solveOnly('step-5');
      await drop('RATINGS_WITH_CUSTOMER_DATA');
      await ksql(
        "CREATE STREAM RATINGS_WITH_CUSTOMER_DATA WITH (KAFKA_TOPIC='ratings_with_customer_data') AS SELECT R.ROUTE_ID AS ID, R.RATING_ID AS RATING_ID, R.STARS AS STARS, R.MESSAGE AS MESSAGE, C.FIRST_NAME + ' ' + C.LAST_NAME AS FULL_NAME, C.CLUB_STATUS AS CLUB_STATUS, C.EMAIL AS EMAIL FROM RATINGS R LEFT JOIN CUSTOMERS C ON R.ROUTE_ID = C.ID WHERE C.FIRST_NAME IS NOT NULL EMIT CHANGES;",
      );
      const result = await checkUntil('step-5', (r) => r.outcome === 'fail');
      expect(verdict(result).object).toBe('records of RATINGS_WITH_CUSTOMER_DATA');
      expect(verdict(result).found).toMatch(
        /^(RATING_ID \d+ by USER_ID \d+ carries FULL_NAME .*, but row \d+ of CUSTOMERS gives|\d+ of the \d+ processed records of RATINGS whose USER_ID has a row in CUSTOMERS are not in RATINGS_WITH_CUSTOMER_DATA)/,
      );
    });

    it('no filter: guests without a customer are kept', async () => {
      await drop('RATINGS_WITH_CUSTOMER_DATA');
      await ksql(
        "CREATE STREAM RATINGS_WITH_CUSTOMER_DATA WITH (KAFKA_TOPIC='ratings_with_customer_data') AS SELECT R.USER_ID AS ID, R.RATING_ID AS RATING_ID, R.STARS AS STARS, R.MESSAGE AS MESSAGE, C.FIRST_NAME + ' ' + C.LAST_NAME AS FULL_NAME, C.CLUB_STATUS AS CLUB_STATUS, C.EMAIL AS EMAIL FROM RATINGS R LEFT JOIN CUSTOMERS C ON R.USER_ID = C.ID EMIT CHANGES;",
      );
      const result = await checkUntil('step-5', (r) => r.outcome === 'fail', 90_000);
      expect(verdict(result).found).toMatch(
        /^RATINGS_WITH_CUSTOMER_DATA holds RATING_ID \d+ by USER_ID -?\d+ without a row's fields \(FULL_NAME "null null", CLUB_STATUS null, EMAIL null\): it found no row when it arrived$/,
      );
      expect(verdict(result).hint).toMatch(/^a LEFT JOIN gives nulls to the records that find no row/);
    });
  });

  describe('step 6: unhappy platinum customers', () => {
    beforeAll(async () => {
      await solveOnly('step-4');
      await solveOnly('step-5');
    }, 60_000);

    it('passes on the reference solution', async () => {
      await solveOnly('step-6');
      const result = await checkUntil('step-6', (r) => r.outcome === 'pass', 90_000);
      expect(result.expectations[1]?.found).toMatch(/^all \d+ records with STARS < 3 AND CLUB_STATUS = 'platinum'/);
    });

    it.each([
      [
        'every club status',
        'WHERE STARS < 3',
        /holds RATING_ID \d+ with STARS \d, CLUB_STATUS "(gold|silver|bronze)", which is not/,
      ],
      [
        'upper-case PLATINUM matches nothing',
        "WHERE STARS < 3 AND CLUB_STATUS = 'PLATINUM'",
        /are not in UNHAPPY_PLATINUM_CUSTOMERS, e\.g\./,
      ],
      [
        'happy platinum customers',
        "WHERE STARS > 3 AND CLUB_STATUS = 'platinum'",
        /holds RATING_ID \d+ with STARS [45], CLUB_STATUS "platinum"/,
      ],
    ])('%s', async (_, where, found) => {
      await drop('UNHAPPY_PLATINUM_CUSTOMERS');
      await ksql(
        `CREATE STREAM UNHAPPY_PLATINUM_CUSTOMERS WITH (KAFKA_TOPIC='unhappy_platinum_customers') AS SELECT * FROM RATINGS_WITH_CUSTOMER_DATA ${where} EMIT CHANGES;`,
      );
      const result = await checkUntil('step-6', (r) => r.outcome === 'fail', 90_000);
      expect(verdict(result)).toMatchObject({
        object: 'records of UNHAPPY_PLATINUM_CUSTOMERS',
        found: expect.stringMatching(found),
      });
    });

    it('built on the ratings instead of the enriched stream', async () => {
      await drop('UNHAPPY_PLATINUM_CUSTOMERS');
      await ksql(
        "CREATE STREAM UNHAPPY_PLATINUM_CUSTOMERS WITH (KAFKA_TOPIC='unhappy_platinum_customers') AS SELECT * FROM RATINGS WHERE STARS < 3 EMIT CHANGES;",
      );
      expect(verdict(await check('step-6'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream UNHAPPY_PLATINUM_CUSTOMERS',
        found: expect.stringMatching(/^no value column RATING_ID; columns: RATING_ID, USER_ID, STARS/),
      });
    });
  });

  describe('step 7: ratings per club status per minute', () => {
    const countColumns =
      "COUNT(*) AS RATING_COUNT, AS_VALUE(CLUB_STATUS) AS STATUS, WINDOWSTART AS WINDOW_START_TS, CLUB_STATUS + '/' + CAST(WINDOWSTART AS STRING) AS WINDOW_ID";
    beforeAll(async () => {
      await solveOnly('step-4');
      await solveOnly('step-5');
    }, 60_000);

    it('passes on the reference solution', async () => {
      await solveOnly('step-7');
      const result = await checkUntil('step-7', (r) => r.outcome === 'pass', 150_000);
      expect(result.expectations[1]?.found).toMatch(
        /^window \d\d:\d\d:00–\d\d:\d\d:00 \(UTC\): (bronze|gold|platinum|silver) \d+.*, as in RATINGS_WITH_CUSTOMER_DATA; a pull query answers \d+ row\(s\), each window 60 s$/,
      );
    }, 180_000);

    it.each([
      ['a hopping window', 'WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 30 SECONDS)', /^a HOPPING window$/],
      ['a five-minute window', 'WINDOW TUMBLING (SIZE 5 MINUTES)', /^a TUMBLING window of 5 min$/],
    ])('%s', async (_, window, found) => {
      await drop('RATINGS_BY_CLUB_STATUS_1MIN');
      await ksql(
        `CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN WITH (KAFKA_TOPIC='ratings_by_club_status_1min') AS SELECT CLUB_STATUS, ${countColumns} FROM RATINGS_WITH_CUSTOMER_DATA ${window} GROUP BY CLUB_STATUS EMIT CHANGES;`,
      );
      expect(verdict(await check('step-7'))).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB table RATINGS_BY_CLUB_STATUS_1MIN',
        found: expect.stringMatching(found),
      });
    });

    it('counting the poor ratings only', async () => {
      await solveOnly('step-6');
      await drop('RATINGS_BY_CLUB_STATUS_1MIN');
      await ksql(
        `CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN WITH (KAFKA_TOPIC='ratings_by_club_status_1min') AS SELECT CLUB_STATUS, ${countColumns} FROM RATINGS_WITH_CUSTOMER_DATA WINDOW TUMBLING (SIZE 1 MINUTE) WHERE STARS < 3 GROUP BY CLUB_STATUS EMIT CHANGES;`,
      );
      const result = await checkUntil('step-7', (r) => r.outcome === 'fail', 150_000);
      expect(verdict(result)).toMatchObject({
        object: 'counts in RATINGS_BY_CLUB_STATUS_1MIN',
        found: expect.stringMatching(
          /^for the window \d\d:\d\d:00–\d\d:\d\d:00 \(UTC\), RATINGS_BY_CLUB_STATUS_1MIN counts .*; RATINGS_WITH_CUSTOMER_DATA holds /,
        ),
      });
    }, 180_000);

    it('a query terminated behind the kit’s back', async () => {
      await drop('RATINGS_BY_CLUB_STATUS_1MIN');
      await solveOnly('step-7');
      const [queries] = await ksql('SHOW QUERIES;');
      const writer = queries?.queries?.find((q) => q.sinks.includes('RATINGS_BY_CLUB_STATUS_1MIN'));
      await ksql(`TERMINATE ${writer?.id};`);
      expect(verdict(await check('step-7'))).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/^TABLE RATINGS_BY_CLUB_STATUS_1MIN exists, but no query writes it/),
      });
    });
  });

  describe('the queries the guides show', () => {
    // The core course's queries. The optional steps' run in their own suites (step 11's are requests to the Schema
    // Registry: schema-step.integration.test.ts; steps 12-14: step-12/13/14.integration.test.ts).
    const queryFiles = course.flatMap((s) => {
      if (s.optional) return [];
      const dir = path.join(s.folder, 'queries');
      return existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : [];
    });

    beforeAll(async () => {
      for (const id of ['step-4', 'step-5', 'step-6', 'step-7']) await solveOnly(id);
      await checkUntil('step-7', (r) => r.outcome === 'pass', 150_000);
      // Each push query asks for 3 rows: the rarest stream (a poor rating from a platinum customer) must hold them
      // before its query runs, or a slow start leaves it with none within the query's 20 s.
      await waitFor({
        what: 'three records in unhappy_platinum_customers',
        timeoutMs: 120_000,
        intervalMs: 1_000,
        probe: async () => {
          const offsets = await context().services.withKafkaAdmin((admin) =>
            admin.fetchTopicOffsets('unhappy_platinum_customers'),
          );
          const records = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
          return records >= 3 ? true : new NotYet(`${records} record(s)`);
        },
      });
    }, 330_000);

    it.each(queryFiles.filter((f) => f.endsWith('.sql') && !/^\s*(--.*\n|\s)*CREATE/i.test(readFileSync(f, 'utf8'))))(
      '%s answers rows through npm run ksql',
      async (file) => {
        const run = await runCli(['ksql', '-f', file, '--timeout', '20'], env, 60_000);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/\((\d+) rows?(, stopped)?\)\n$/);
        expect(Number(/\((\d+) rows?/.exec(run.stdout)?.[1])).toBeGreaterThan(0);
      },
      60_000,
    );

    it.each(queryFiles.filter((f) => f.endsWith('.json')))(
      '%s is a request /query-stream answers with rows',
      async (file) => {
        const response = await fetch(`${stack().ksqldbUrl}/query-stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: readFileSync(file, 'utf8'),
          signal: AbortSignal.timeout(20_000),
        });
        expect(response.status).toBe(200);
        const lines = (await response.text()).trim().split('\n');
        expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
          columnNames: ['CLUB_STATUS', 'WINDOWSTART', 'WINDOWEND', 'RATING_COUNT'],
        });
        expect(lines.length).toBeGreaterThan(1);
      },
    );
  });

  it('ksqlDB stopped is an environment error naming it, and the step passes again once it is back', async () => {
    await solveOnly('step-4');
    await checkUntil('step-4', (r) => r.outcome === 'pass');
    await stack().stopServer('ksqldb');
    try {
      const run = await runCli(['check', 'step-4'], env);
      expect(run.code, run.stdout).toBe(3);
      expect(run.stdout).toMatch(/ksqlDB at http:\/\/127\.0\.0\.1:\d+ is not reachable \(connection refused/);
      expect(run.stdout).toContain('not your mistake');
    } finally {
      await stack().startServer('ksqldb');
    }
    // Its queries come back from its command topic.
    await checkUntil('step-4', (r) => r.outcome === 'pass', 120_000);
  }, 240_000);

  it('reset step-4 drops every object of steps 4-7, dependents first, and leaves the ratings topic', async () => {
    for (const id of ['step-4', 'step-5', 'step-6', 'step-7']) await solveOnly(id);
    const reset = await runCli(['reset', 'step-4'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(
      '✓ ksqlDB table RATINGS_BY_CLUB_STATUS_1MIN dropped with its topic "ratings_by_club_status_1min"',
    );
    expect(reset.stdout).toContain('✓ ksqlDB stream RATINGS dropped (its topic "ratings" stays)');
    expect(await client().sources()).toEqual([]);
    expect(await client().queries()).toEqual([]);
    // Step 3's work stays: reset step-4 removes only what step 4 and later made.
    expect((await runCli(['check', 'step-3', '--passive'], env)).code).toBe(0);
  }, 120_000);
});
