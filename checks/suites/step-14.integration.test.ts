/**
 * Step 14 (the warehouse) on the real ksqlDB, Schema Registry, Kafka Connect with Debezium's JDBC sink, and MariaDB of
 * the local stack: unsolved it fails, solved it passes, and each seeded fault — a connector made from ksqlDB as a
 * learner would make it, wrong in one property — fails with its own message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { runStep } from '#checks/engine.js';
import { adaptConnectorConfig, removeConnector } from '#checks/resources/connector.js';
import { applyResource } from '#checks/resources/index.js';
import { connectorStatement, readKsqlConnectorFile } from '#checks/resources/ksql-connector.js';
import type { StepResult } from '#checks/types.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithSchemaRegistry } from '#workshop/dev/testing/stack-context.js';
import { checkUntil as checkUntilVerdict, courseStep, verdict } from '#workshop/dev/testing/step-checks.js';

const step = courseStep;

describeWithSchemaRegistry(
  'step 14 (the warehouse) on a real ksqlDB, Connect with the JDBC sink, and MariaDB',
  (stack) => {
    let env: Record<string, string>;
    let state: string;
    const context = () => checkContext(stack());
    const services = () => context().services;
    const client = () => new KsqlClient(services());
    const check = () => runStep(step('step-14'), context(), { deadlineScale: 0.5, intervalMs: 500 });
    const solution = step('step-14').solution;
    const sinkFile = (solution[1] as { file: string }).file;
    const checkUntil = (wanted: (r: StepResult) => boolean, timeoutMs?: number) =>
      checkUntilVerdict('step-14', check, wanted, timeoutMs);
    /** The guide's connector with some properties changed, made from ksqlDB after the old one and its table are gone. */
    const remake = async (changes: Record<string, string | undefined>) => {
      const connector = readKsqlConnectorFile(sinkFile);
      await removeConnector(services(), connector.name);
      await services().withMysql((db) => services().query(db, 'DROP TABLE IF EXISTS warehouse.ratings'));
      const config = adaptConnectorConfig(connector.config, services().config);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
      }
      await client().statement(connectorStatement({ ...connector, config }));
      return connector.name;
    };

    beforeAll(async () => {
      state = mkdtempSync(path.join(os.tmpdir(), 'step-14-state-'));
      env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
      const reset = await runCli(['reset'], env);
      expect(reset.code, reset.stdout + reset.stderr).toBe(0);
      const solve = await runCli(['solve', 'step-5'], env, 240_000);
      expect(solve.code, solve.stdout + solve.stderr).toBe(0);
    }, 300_000);

    afterAll(async () => {
      if (env) await runCli(['reset'], env);
      rmSync(state, { recursive: true, force: true });
    }, 120_000);

    it('fails before the stream for the warehouse is made, naming it', async () => {
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        object: 'ksqlDB stream RATINGS_FOR_WAREHOUSE',
        found: expect.stringMatching(/^no stream or table RATINGS_FOR_WAREHOUSE; there are: /),
      });
    });

    it('passes on the reference solution, the connector made through ksqlDB', async () => {
      const lines: string[] = [];
      for (const resource of solution) lines.push(...(await applyResource(services(), resource, step('step-14'))));
      expect(lines.join('\n')).toMatch(
        /connector "WAREHOUSE_RATINGS": created through ksqlDB from steps\/14-warehouse\/solution\/warehouse-sink\.sql \(changed for this platform, the file stays as written: connection\.url jdbc:mysql:\/\/mysql:3306\/warehouse → jdbc:mysql:\/\/127\.0\.0\.1:\d+\/warehouse/,
      );
      // Right after the connector is made, ksqlDB 8.0.7 once answered SHOW CONNECTORS with an error of its own (50000,
      // "No value present": a connector Connect lists before it can describe it); listed a moment later.
      const listed = await waitFor({
        what: 'SHOW CONNECTORS to list WAREHOUSE_RATINGS',
        timeoutMs: 30_000,
        intervalMs: 1_000,
        probe: async () => {
          const answer = await client()
            .statements('SHOW CONNECTORS;')
            .then(
              ([entity]) => JSON.stringify(entity),
              (error: Error) => new NotYet(error.message),
            );
          return answer instanceof NotYet || !answer.includes('WAREHOUSE_RATINGS')
            ? new NotYet(String(answer))
            : answer;
        },
      });
      expect(listed).toContain('WAREHOUSE_RATINGS');
      const result = await checkUntil((r) => r.outcome === 'pass');
      expect(result.expectations.at(-1)?.found).toMatch(
        /^the newest \d+ records connector "WAREHOUSE_RATINGS" consumed are rows with the same values; primary key rating_id, none twice; 10 columns$/,
      );
    }, 150_000);

    it('the guide’s query answers from the warehouse in plain SQL', async () => {
      const run = await runCli(['mysql', '-f', 'steps/14-warehouse/queries/warehouse-by-club-status.sql'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^club_status +ratings +average_stars +poor\n/);
      expect(run.stdout).toMatch(/\nplatinum +\d+ +\d\.\d\d +\d+\n/);
    });

    it('insert where upsert is needed: a record delivered again is a second row', async () => {
      const config = { 'insert.mode': 'insert', 'primary.key.mode': 'none', 'primary.key.fields': undefined };
      const name = await remake(config);
      await checkUntil((r) => /primary key of warehouse\.ratings is none/.test(verdict(r).found ?? ''));
      // The connector made again with the same name starts over from the first record, as after lost offsets.
      const connector = readKsqlConnectorFile(sinkFile);
      await removeConnector(services(), name);
      const again = adaptConnectorConfig(connector.config, services().config);
      Object.assign(again, { 'insert.mode': 'insert', 'primary.key.mode': 'none' });
      delete again['primary.key.fields'];
      await client().statement(connectorStatement({ ...connector, config: again }));
      const result = await checkUntil((r) => /rows of warehouse\.ratings/.test(verdict(r).found ?? ''));
      expect(verdict(result)).toMatchObject({
        outcome: 'fail',
        object: 'MySQL table warehouse.ratings',
        found: expect.stringMatching(
          /^rating_id \d+ is 2 rows of warehouse\.ratings( \(and \d+ more ids\))?: a record delivered again was inserted again$/,
        ),
        hint: expect.stringContaining("'insert.mode' = 'upsert'"),
      });
    }, 180_000);

    it('the wrong primary key: one row per customer', async () => {
      await remake({ 'primary.key.fields': 'USER_ID' });
      const result = await checkUntil((r) => r.outcome === 'fail' && /primary key/.test(verdict(r).found ?? ''));
      expect(verdict(result)).toMatchObject({
        object: 'MySQL table warehouse.ratings',
        found:
          'the primary key of warehouse.ratings is (user_id), not (rating_id): a row per user_id, where one per rating_id is wanted',
      });
    }, 120_000);

    it('the connector on the wrong topic: the stream’s name, not its topic’s', async () => {
      await remake({ topics: 'RATINGS_FOR_WAREHOUSE' });
      expect(verdict(await checkUntil((r) => r.outcome === 'fail'))).toMatchObject({
        object: 'MySQL table warehouse.ratings',
        found: `connector "WAREHOUSE_RATINGS" reads 'topics' = 'RATINGS_FOR_WAREHOUSE', not "ratings_for_warehouse"`,
      });
    }, 120_000);

    it('a task stopped by MySQL refusing the password, in Connect’s own words', async () => {
      await remake({ 'connection.password': 'not-the-password' });
      const result = await checkUntil((r) => r.outcome === 'fail' && /FAILED/.test(verdict(r).found ?? ''));
      expect(verdict(result)).toMatchObject({
        object: 'connector "WAREHOUSE_RATINGS"',
        found: expect.stringMatching(/task 0 FAILED \(.*Access denied for user 'warehouse'/),
      });
    }, 120_000);

    it('reset step-14 removes the stream, the connector with its offsets, the schema and the table', async () => {
      await remake({});
      const reset = await runCli(['reset', 'step-14'], env);
      expect(reset.code, reset.stdout + reset.stderr).toBe(0);
      expect(reset.stdout).toContain('connector "WAREHOUSE_RATINGS" deleted (offsets cleared)');
      expect(reset.stdout).toContain('MySQL: table warehouse.ratings dropped');
      const names = (await client().sources()).map((s) => s.name);
      expect(names).not.toContain('RATINGS_FOR_WAREHOUSE');
      expect(names).toContain('RATINGS_WITH_CUSTOMER_DATA');
    }, 120_000);
  },
);
