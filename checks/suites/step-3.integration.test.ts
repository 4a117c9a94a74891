import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topicOffsets } from '#checks/clients/kafka-read.js';
import { loadCourse } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { adaptConnectorConfig, applyConnector, removeConnector } from '#checks/resources/index.js';
import type { StepResult } from '#checks/types.js';
import { NotYet, waitFor } from '#core/wait.js';
import { reservedProbeIds } from '#datagen/customers.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext, loadCustomers } from '#workshop/dev/testing/fixtures.js';
import { collectTopic } from '#workshop/dev/testing/kafka-records.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-3');
if (!step) throw new Error('no step-3 in the course');
const connectorResource = step.solution.find((r) => r.kind === 'connector');
const solutionFile = connectorResource?.kind === 'connector' ? connectorResource.file : '';
const solution = JSON.parse(readFileSync(solutionFile, 'utf8')) as { name: string; config: Record<string, string> };

/** The one expectation that decided the step. */
function verdict(result: StepResult) {
  const last = result.expectations[result.expectations.length - 1];
  return {
    outcome: result.outcome,
    object: last?.object,
    found: last?.found,
    hint: last?.hint,
    all: result.expectations,
  };
}

describeWithStack('step 3: stream customers from MySQL with Debezium', (stack) => {
  const context = () => checkContext(stack());
  const check = () => runStep(step, context(), { deadlineScale: 0.5, intervalMs: 250 });
  /** Applies the reference config with one change, as a learner's mistake would. */
  const applyFaulty = async (change: (config: Record<string, string>) => Record<string, string>) => {
    const { services, config } = context();
    const answer = await services.connect(`/connectors/${solution.name}/config`, {
      method: 'PUT',
      body: change(adaptConnectorConfig(solution.config, config)),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  };

  /** How many rows CUSTOMERS holds, and how many of them are probes. */
  async function customerCounts() {
    const { host, port, user, password, database } = stack().mariadb;
    const db = await mysql.createConnection({ host, port, user, password, database });
    try {
      const [rows] = await db.query(
        `SELECT COUNT(*) AS n, COUNT(CASE WHEN id >= ${reservedProbeIds.from} THEN 1 END) AS probes FROM CUSTOMERS`,
      );
      const [counts] = rows as { n: number; probes: number }[];
      return { rows: Number(counts?.n), probes: Number(counts?.probes) };
    } finally {
      await db.end();
    }
  }

  beforeAll(async () => {
    await loadCustomers(stack());
  });

  beforeEach(async () => {
    await removeConnector(context().services, solution.name, solution.config);
  });

  it('fails before the connector exists, naming it', async () => {
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'connector "customers-cdc"',
      found: 'no connectors at all',
    });
    expect(result.next).toBe(
      'read steps/03-stream-customers-cdc/guide.md (Check your work), then run npm run check step-3',
    );
  });

  it('passes once the reference solution is applied, and applying it again changes nothing', async () => {
    const { services } = context();
    expect(await applyConnector(services, solutionFile)).toMatch(/^connector "customers-cdc": created from/);
    const result = await check();
    expect(
      result.expectations.map((e) => [e.object, e.outcome]),
      JSON.stringify(result.expectations),
    ).toEqual([
      ['connector "customers-cdc"', 'pass'],
      ['connector "customers-cdc" config', 'pass'],
      ['topic "mysql.demo.CUSTOMERS"', 'pass'],
      ['a change from CUSTOMERS to topic "mysql.demo.CUSTOMERS"', 'pass'],
    ]);
    expect(result.outcome).toBe('pass');
    expect(result.expectations[2]?.found).toBe('20 rows of CUSTOMERS as flat records keyed by id');
    const status = await runCli(['connector', 'status', 'customers-cdc'], workshopEnv(stack()));
    expect(status.code, `${status.stdout}${status.stderr}`).toBe(0);
    expect(status.stdout).toContain('task 0: RUNNING');
    // The probe left nothing behind: the table holds its 20 customers, and in the topic the probe's row ends deleted
    // (a tombstone, or the JSON null of a delete), so a table over the topic (ksqlDB's, in step 5) never holds it.
    expect(await customerCounts()).toEqual({ rows: 20, probes: 0 });
    const topic = await collectTopic(stack().kafka.bootstrapServers, 'mysql.demo.CUSTOMERS');
    try {
      await topic.until('the probe row to arrive and end deleted in the topic', (records) => {
        const latest = new Map<string, string | null>();
        for (const r of records) latest.set(String(r.key), r.value === 'null' ? null : r.value);
        const probes = [...latest].filter(([key]) => Number(key) >= reservedProbeIds.from);
        return probes.length > 0 && probes.every(([, value]) => value === null);
      });
      const live = new Map<string, string | null>();
      for (const r of topic.records) live.set(String(r.key), r.value === 'null' ? null : r.value);
      expect([...live.values()].filter((v) => v !== null)).toHaveLength(20);
    } finally {
      await topic.close();
    }
    const again = await check();
    expect(again.expectations[2]?.found).toBe('20 rows of CUSTOMERS as flat records keyed by id');
    expect(await applyConnector(services, solutionFile)).toMatch(/already as in .* left unchanged$/);
  });

  it('takes the file a learner saves from the guide, unchanged, on the local stack, saying what it changed', async () => {
    // The guide's block, as the site shows it, saved where the learner works: written for the compose platform.
    const guide = readFileSync(path.join(path.dirname(solutionFile), '../guide.md'), 'utf8');
    const block = /```json from=[^\n]*\n([\s\S]*?)```/.exec(guide)?.[1] ?? '';
    const folder = mkdtempSync(path.join(os.tmpdir(), 'learner-'));
    writeFileSync(path.join(folder, 'customers-cdc.json'), block);
    const env = workshopEnv(stack());
    const apply = await runCli(['connector', 'apply', 'customers-cdc.json'], { ...env, INIT_CWD: folder });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(
      `connector "customers-cdc": created from ${path.join(folder, 'customers-cdc.json')} (changed for this platform, the file stays as written: connector.class io.debezium.connector.mysql.MySqlConnector → io.debezium.connector.mariadb.MariaDbConnector, database.hostname mysql → ${env.WORKSHOP_CONNECT_MYSQL_HOST}, database.port 3306 → ${env.WORKSHOP_CONNECT_MYSQL_PORT}, schema.history.internal.kafka.bootstrap.servers kafka:29092 → ${env.WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS})`,
    );
    expect(readFileSync(path.join(folder, 'customers-cdc.json'), 'utf8')).toBe(block);
    expect((await check()).outcome).toBe('pass');
  });

  it('reset step-3 puts the customers back as seeded, after the guide’s UPDATE and a learner’s own row', async () => {
    const { host, port, user, password, database } = stack().mariadb;
    const db = await mysql.createConnection({ host, port, user, password, database });
    const statusOf = async (id: number) => {
      const [rows] = await db.query('SELECT club_status FROM CUSTOMERS WHERE id = ?', [id]);
      return (rows as { club_status: string }[])[0]?.club_status;
    };
    try {
      const seeded = await statusOf(1);
      expect(seeded).not.toBe('platinum');
      // The guide's demo UPDATE, run twice: the second changes nothing, which is what made step 5's demo wait.
      await db.query("UPDATE CUSTOMERS SET club_status = 'platinum' WHERE id = 1");
      await db.query(
        "INSERT INTO CUSTOMERS (id, first_name, last_name, email, club_status) VALUES (31, 'A', 'B', 'a@b', 'gold')",
      );
      const reset = await runCli(['reset', 'step-3'], workshopEnv(stack()));
      expect(reset.code, reset.stdout + reset.stderr).toBe(0);
      expect(reset.stdout).toContain(
        "  - step-3: MySQL's CUSTOMERS table back to its seed rows (docker/mysql/initdb/20-customers.sql); nothing else in MySQL",
      );
      expect(reset.stdout).toContain('  ✓ MySQL: demo.CUSTOMERS row id 1 back as seeded');
      expect(reset.stdout).toContain('  ✓ MySQL: demo.CUSTOMERS row id 31 deleted (not in the seed)');
      expect(await statusOf(1)).toBe(seeded);
      expect(await customerCounts()).toEqual({ rows: 20, probes: 0 });
      const [changed] = await db.query("UPDATE CUSTOMERS SET club_status = 'platinum' WHERE id = 1");
      expect((changed as { affectedRows: number }).affectedRows).toBe(1);
      // Once the rows are as seeded, reset has nothing of MySQL's to say.
      await db.query('UPDATE CUSTOMERS SET club_status = ? WHERE id = 1', [seeded]);
      const again = await runCli(['reset', 'step-3'], workshopEnv(stack()));
      expect(again.stdout).not.toContain('MySQL:');
    } finally {
      await db.end();
    }
  });

  it('skips the probe with --passive, writing nothing', async () => {
    await applyConnector(context().services, solutionFile);
    await runStep(step, checkContext(stack(), true), { deadlineScale: 0.5 });
    const before = await topicOffsets(context().services, 'mysql.demo.CUSTOMERS');
    const result = await runStep(step, checkContext(stack(), true), { deadlineScale: 0.5 });
    expect(await topicOffsets(context().services, 'mysql.demo.CUSTOMERS')).toEqual(before);
    expect(result.outcome, JSON.stringify(result.expectations)).toBe('pass');
    expect(result.expectations.map((e) => e.kind)).not.toContain('change-arrives');
  });

  describe('detects each seeded fault with its own message', () => {
    it('a paused connector', async () => {
      await applyConnector(context().services, solutionFile);
      const { services } = context();
      await waitFor({
        what: 'the connector to run',
        timeoutMs: 30_000,
        probe: async () => {
          const s = await services.connect<{ connector: { state: string } }>(`/connectors/${solution.name}/status`);
          return s.body?.connector?.state === 'RUNNING' ? true : new NotYet('not running');
        },
      });
      await services.connect(`/connectors/${solution.name}/pause`, { method: 'PUT' });
      await waitFor({
        what: 'the connector to pause',
        timeoutMs: 30_000,
        probe: async () => {
          const s = await services.connect<{ connector: { state: string } }>(`/connectors/${solution.name}/status`);
          return s.body?.connector?.state === 'PAUSED' ? true : new NotYet('not paused');
        },
      });
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: 'PAUSED',
        hint: 'resume it: npm run connector -- resume customers-cdc',
      });
      // npm run connector -- status says so too, and does not exit 0.
      const status = await runCli(['connector', 'status', 'customers-cdc'], workshopEnv(stack()));
      expect(status.code, status.stderr).toBe(1);
      expect(status.stdout).toContain('connector "customers-cdc": PAUSED');
      expect(status.stderr).toContain('npm run connector -- resume customers-cdc');
    });

    it('a task that cannot log in', async () => {
      await applyConnector(context().services, solutionFile);
      const { host, port, connectorUser, connectorPassword } = stack().mariadb;
      // The connector was valid when created; then its user's password changes under it and the task restarts.
      const root = await mysql.createConnection({ host, port, user: 'root' });
      try {
        await root.query(`ALTER USER '${connectorUser}'@'%' IDENTIFIED BY 'changed-under-it'`);
        await context().services.connect(`/connectors/${solution.name}/restart?includeTasks=true`, { method: 'POST' });
        const result = verdict(await check());
        expect(result).toMatchObject({ outcome: 'fail', object: 'connector "customers-cdc"' });
        expect(result.found).toMatch(/FAILED \(.*Access denied for user 'debezium'/);
        // npm run connector -- status: the task FAILED with Connect's reason, exit 1, and how to restart it.
        const status = await runCli(['connector', 'status', 'customers-cdc'], workshopEnv(stack()));
        expect(status.code, status.stderr).toBe(1);
        expect(status.stdout).toMatch(/task 0: FAILED \(.*Access denied/);
        expect(status.stderr).toContain('npm run connector -- restart customers-cdc');
      } finally {
        await root.query(`ALTER USER '${connectorUser}'@'%' IDENTIFIED BY '${connectorPassword}'`);
        await root.end();
      }
    });

    it('a password written into the config', async () => {
      await applyFaulty((config) => ({ ...config, 'database.password': stack().mariadb.connectorPassword }));
      const result = verdict(await check());
      expect(result).toMatchObject({
        outcome: 'fail',
        object: 'connector "customers-cdc" config',
        found: 'database.password written into the config as plain text',
      });
      expect(JSON.stringify(result)).not.toContain(stack().mariadb.connectorPassword);
    });

    it('the table missing from the include list', async () => {
      await applyFaulty((config) => ({ ...config, 'table.include.list': 'demo.CUSTOMER' }));
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        object: 'topic "mysql.demo.CUSTOMERS"',
        found: expect.stringMatching(/^no such topic/),
        hint: expect.stringContaining('"table.include.list"'),
      });
    });

    it('records not unwrapped', async () => {
      await applyFaulty(({ 'transforms.unwrap.type': _, ...config }) => ({
        ...config,
        transforms: 'extractKey',
        // Without the unwrap, the key struct still holds id; the value is the envelope.
      }));
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: 'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows',
        hint: expect.stringContaining('ExtractNewRecordState'),
      });
    });

    it('a connector that takes the snapshot and then stops reading the binary log', async () => {
      await applyFaulty((config) => ({ ...config, 'snapshot.mode': 'initial_only' }));
      const result = verdict(await check());
      expect(result).toMatchObject({
        outcome: 'fail',
        object: 'a change from CUSTOMERS to topic "mysql.demo.CUSTOMERS"',
        hint: expect.stringContaining('binary log'),
      });
      // The probe waited out the step's own deadline (15 s), halved as this suite halves every deadline.
      expect(result.found).toMatch(/^a row inserted with id \d+ did not arrive within 7\.5 s$/);
      expect(await customerCounts()).toEqual({ rows: 20, probes: 0 });
    });

    it('records written before the learner fixed the config: said so, and the fix it gives works', async () => {
      await applyFaulty(({ 'transforms.unwrap.type': _, ...config }) => ({ ...config, transforms: 'extractKey' }));
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: 'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows',
      });
      // Half a fix: the unwrap without the key transform. The config is still wrong, so the check says what it
      // sees, and does not send the learner to reset.
      await applyFaulty(({ 'transforms.extractKey.type': _t, 'transforms.extractKey.field': _f, ...config }) => ({
        ...config,
        transforms: 'unwrap',
      }));
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: 'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows',
      });
      // The learner adds the transform. The connector keeps its offsets and does not read the table again, so the
      // topic still holds envelopes: the check must not blame the config the learner just fixed.
      const { services } = context();
      expect(await applyConnector(services, solutionFile)).toMatch(/^connector "customers-cdc": updated/);
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found:
          'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows, written before connector "customers-cdc" had its current config: a connector does not read the table again when its config changes',
        hint: 'clear the old records and start the connector afresh: npm run reset step-3, then apply your config again (npm run connector -- apply <your file>)',
      });
      // What reset step-3 does, then the same config again.
      await removeConnector(services, solution.name, solution.config);
      await applyConnector(services, solutionFile);
      expect(verdict(await check()).outcome).toBe('pass');
    });

    it('the key not the id', async () => {
      await applyFaulty(({ 'transforms.extractKey.type': _t, 'transforms.extractKey.field': _f, ...config }) => ({
        ...config,
        transforms: 'unwrap',
      }));
      const result = verdict(await check());
      expect(result).toMatchObject({ outcome: 'fail', hint: expect.stringContaining('ExtractField$Key') });
      expect(result.found).toMatch(/^key \{"id":\d+\} for the row with id \d+, a struct instead of the id$/);
    });
  });

  it('reports a stopped Kafka Connect as an environment error naming it', async () => {
    await stack().stopServer('connect');
    try {
      const result = await runStep(step, context());
      expect(verdict(result)).toMatchObject({
        outcome: 'environment-error',
        found: expect.stringMatching(
          /^Kafka Connect at http:\/\/127\.0\.0\.1:\d+ is not reachable \(connection refused/,
        ),
      });
    } finally {
      await stack().startServer('connect');
    }
  });
});
