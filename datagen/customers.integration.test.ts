import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { debeziumMariaDbConnectorClass } from '#workshop/dev/stack/connect.js';
import { connectorSecretVariables, workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { collectTopic, waitForTopic } from '#workshop/dev/testing/kafka-records.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { type CustomerChange, startCustomerChanges } from './customer-changes.js';
import { customerSeedFile, reservedProbeIds } from './customers.js';

interface ChangeEvent {
  op: 'r' | 'c' | 'u' | 'd';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describeWithStack('datagen customers against the real MariaDB, Kafka Connect and Debezium', (stack) => {
  const connector = `datagen-customers-${Date.now()}`;
  const prefix = `datagen${Date.now()}`;
  let db: mysql.Connection;

  beforeAll(async () => {
    const { host, port, user, password, database } = stack().mariadb;
    db = await mysql.createConnection({ host, port, user, password, database, multipleStatements: true });
    // The seed file makes demo.CUSTOMERS as the platform's MySQL has it; start from no table, as MySQL does.
    await db.query('DROP TABLE IF EXISTS CUSTOMERS');
    await db.query(readFileSync(customerSeedFile, 'utf8'));
  });

  afterAll(async () => {
    await fetch(`${stack().connect.url}/connectors/${connector}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    // Leave demo.CUSTOMERS as the platform has it, seeded: the suites after this one (any that resets) need it.
    await db?.query('DROP TABLE IF EXISTS CUSTOMERS');
    await db?.query(readFileSync(customerSeedFile, 'utf8'));
    await db?.end();
  });

  it('the committed seed loads: 20 customers, every club status, timestamps filled by the server', async () => {
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      'SELECT id, club_status, create_ts, update_ts FROM CUSTOMERS ORDER BY id',
    );
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.club_status))).toEqual(new Set(['bronze', 'silver', 'gold', 'platinum']));
    expect(rows.filter((r) => r.club_status === 'platinum')).toHaveLength(5);
    for (const row of rows) expect(row.create_ts).toBeInstanceOf(Date);
  });

  it('--changes updates and inserts customers, and Debezium carries every change to the CDC topic', async () => {
    const { connect, kafka, mariadb } = stack();
    const created = await fetch(`${connect.url}/connectors/${connector}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        'connector.class': debeziumMariaDbConnectorClass,
        'tasks.max': '1',
        'database.hostname': mariadb.host,
        'database.port': String(mariadb.port),
        'database.user': `\${env:${connectorSecretVariables.user}}`,
        'database.password': `\${env:${connectorSecretVariables.password}}`,
        'database.server.id': '5402',
        'topic.prefix': prefix,
        'database.include.list': mariadb.database,
        'table.include.list': `${mariadb.database}.CUSTOMERS`,
        'schema.history.internal.kafka.bootstrap.servers': kafka.bootstrapServers,
        'schema.history.internal.kafka.topic': `schema-history.${connector}`,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const topic = `${prefix}.${mariadb.database}.CUSTOMERS`;
    await waitForTopic(kafka.bootstrapServers, topic, 90_000);
    const events = await collectTopic(kafka.bootstrapServers, topic);
    try {
      const changeEvents = () =>
        events.records
          .map((record) => JSON.parse(record.value ?? 'null') as ChangeEvent | null)
          .filter((e): e is ChangeEvent => e !== null);
      await events.until('the 20 snapshot rows', () => changeEvents().filter((e) => e.op === 'r').length === 20);

      const changes: CustomerChange[] = [];
      const summary = await startCustomerChanges({
        database: { ...mariadb, flavour: 'mariadb' },
        rate: 20,
        count: 15,
        seed: 4,
        onChange: (change) => changes.push(change),
      }).done;
      expect(summary.updates + summary.inserts).toBe(15);
      expect(changes).toHaveLength(15);

      await events.until('an event for each change', () => changeEvents().filter((e) => e.op !== 'r').length >= 15);
      const streamed = changeEvents().filter((e) => e.op !== 'r');
      expect(streamed).toHaveLength(15);
      changes.forEach((change, i) => {
        const event = streamed[i];
        if (change.kind === 'insert') {
          expect(event).toMatchObject({ op: 'c', before: null, after: { id: change.customer.id } });
          expect(event?.after).toMatchObject({
            club_status: change.customer.club_status,
            email: change.customer.email,
          });
        } else {
          expect(event).toMatchObject({
            op: 'u',
            before: { id: change.id, [change.column]: change.from },
            after: { id: change.id, [change.column]: change.to },
          });
        }
      });
    } finally {
      await events.close();
    }
  });

  it('npm run datagen -- customers --changes prints each change, then how many it made', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'workshop/cli.ts', 'datagen', 'customers', '--changes', '--count', '3', '--rate', '20'],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...workshopEnv(stack()), NO_COLOR: '1' } },
    );
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(0, 3)) {
      expect(line).toMatch(
        /^(customer \d+ .+: (club_status|email|comments) .+ → .+|new customer \d+ .+: \w+, \S+@\S+)$/,
      );
    }
    expect(lines[3]).toMatch(/^made 3 changes: \d updates, \d new customers$/);
    expect(result.stderr).toContain(
      `changing customers in MariaDB at ${stack().mariadb.host}:${stack().mariadb.port}/demo`,
    );
  });

  it('--changes leaves the checks’ probe ids alone: no new customer in their range, no change to a probe row', async () => {
    const probe = {
      id: reservedProbeIds.from + 17,
      first_name: 'Probe',
      last_name: 'Row',
      email: 'probe@example.com',
      gender: 'Female',
      club_status: 'gold',
      comments: 'inserted by a check',
    };
    // Only the probe row: a customer id computed over every row would land right next to it.
    await db.query('DELETE FROM CUSTOMERS');
    await db.query('INSERT INTO CUSTOMERS SET ?', [probe]);

    const changes: CustomerChange[] = [];
    await startCustomerChanges({
      database: { ...stack().mariadb, flavour: 'mariadb' },
      rate: 50,
      count: 8,
      seed: 9,
      onChange: (change) => changes.push(change),
    }).done;
    // The probe row is not a customer to change, so the first change signs up the first customer, id 1.
    expect(changes[0]).toMatchObject({ kind: 'insert', customer: { id: 1 } });
    for (const change of changes) {
      if (change.kind === 'insert') expect(change.customer.id).toBeLessThan(reservedProbeIds.from);
      else expect(change.id).not.toBe(probe.id);
    }
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      'SELECT id, first_name, last_name, email, gender, club_status, comments FROM CUSTOMERS WHERE id >= ?',
      [reservedProbeIds.from],
    );
    expect(rows).toEqual([probe]);
  });
});
