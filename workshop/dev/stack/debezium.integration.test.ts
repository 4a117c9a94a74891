import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NotYet, waitFor } from '#core/wait.js';
import { collectTopic, waitForTopic } from '#workshop/dev/testing/kafka-records.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { debeziumMariaDbConnectorClass } from './connect.js';
import { connectorSecretVariables } from './local-stack.js';

interface ChangeEvent {
  op: 'r' | 'c' | 'u' | 'd';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describeWithStack('Debezium streams MariaDB changes through the real Kafka Connect', (stack) => {
  const table = `FOUNDATION_${Date.now()}`;
  const connector = `foundation-cdc-${Date.now()}`;
  let db: mysql.Connection;

  beforeAll(async () => {
    const { host, port, user, password, database } = stack().mariadb;
    db = await mysql.createConnection({ host, port, user, password, database, connectTimeout: 5_000 });
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(50), club_status VARCHAR(20))`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'Rica', 'gold'), (2, 'Ruthie', 'platinum')`);
  });

  afterAll(async () => {
    await fetch(`${stack().connect.url}/connectors/${connector}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(10_000),
    });
    await db?.end();
  });

  it('snapshots the table, then streams an INSERT and an UPDATE', async () => {
    const { connect, kafka, mariadb } = stack();
    const config = {
      'connector.class': debeziumMariaDbConnectorClass,
      'tasks.max': '1',
      'database.hostname': mariadb.host,
      'database.port': String(mariadb.port),
      // The worker resolves these from its environment; the connector config never holds the password.
      'database.user': `\${env:${connectorSecretVariables.user}}`,
      'database.password': `\${env:${connectorSecretVariables.password}}`,
      'database.server.id': '5401',
      'topic.prefix': 'foundation',
      'database.include.list': mariadb.database,
      'table.include.list': `${mariadb.database}.${table}`,
      'schema.history.internal.kafka.bootstrap.servers': kafka.bootstrapServers,
      'schema.history.internal.kafka.topic': `schema-history.${connector}`,
    };
    const created = await fetch(`${connect.url}/connectors/${connector}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
      signal: AbortSignal.timeout(30_000),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    await waitFor({
      what: `connector ${connector} and its task to be RUNNING`,
      timeoutMs: 60_000,
      intervalMs: 500,
      probe: async () => {
        const response = await fetch(`${connect.url}/connectors/${connector}/status`, {
          signal: AbortSignal.timeout(5_000),
        });
        if (!response.ok) return new NotYet(`status answered ${response.status}`);
        const status = (await response.json()) as {
          connector: { state: string };
          tasks: { state: string; trace?: string }[];
        };
        const failedTask = status.tasks.find((task) => task.state === 'FAILED');
        if (failedTask) throw new Error(`task FAILED: ${failedTask.trace?.split('\n')[0]}`);
        return status.connector.state === 'RUNNING' && status.tasks[0]?.state === 'RUNNING'
          ? true
          : new NotYet(JSON.stringify(status));
      },
    });

    const topic = `foundation.${mariadb.database}.${table}`;
    await waitForTopic(kafka.bootstrapServers, topic, 60_000);
    const events = await collectTopic(kafka.bootstrapServers, topic);
    try {
      const changes = () => events.records.map((record) => JSON.parse(record.value ?? 'null') as ChangeEvent | null);
      await events.until('the two snapshot rows', () => changes().filter((e) => e?.op === 'r').length === 2);
      expect(
        changes()
          .filter((e) => e?.op === 'r')
          .map((e) => e?.after),
      ).toEqual([
        { id: 1, name: 'Rica', club_status: 'gold' },
        { id: 2, name: 'Ruthie', club_status: 'platinum' },
      ]);
      expect(events.records.map((r) => JSON.parse(r.key ?? 'null'))).toEqual([{ id: 1 }, { id: 2 }]);

      await db.query(`INSERT INTO ${table} VALUES (3, 'Mariam', 'bronze')`);
      await db.query(`UPDATE ${table} SET club_status = 'silver' WHERE id = 1`);
      await events.until('the INSERT and the UPDATE', () => changes().length >= 4);
      const [insert, update] = changes().slice(2);
      expect(insert).toMatchObject({ op: 'c', before: null, after: { id: 3, name: 'Mariam', club_status: 'bronze' } });
      expect(update).toMatchObject({
        op: 'u',
        before: { id: 1, club_status: 'gold' },
        after: { id: 1, club_status: 'silver' },
      });
    } finally {
      await events.close();
    }

    // The REST API shows the placeholder, not the password.
    const shown = await fetch(`${connect.url}/connectors/${connector}/config`, { signal: AbortSignal.timeout(5_000) });
    const shownConfig = (await shown.json()) as Record<string, string>;
    expect(shownConfig['database.password']).toBe(`\${env:${connectorSecretVariables.password}}`);
    expect(JSON.stringify(shownConfig)).not.toContain(mariadb.connectorPassword);
  });
});
