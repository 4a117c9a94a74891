import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

describeWithStack('servers of the shared stack stop and start again with their data', (stack) => {
  it('Kafka keeps its topics and records across a restart', async () => {
    const { kafka } = stack();
    const client = kafkaClient({
      brokers: [kafka.bootstrapServers],
      connectionTimeout: 2_000,
    });
    const topic = `restart-${Date.now()}`;
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: '1', value: 'before the restart' }] });
    await producer.disconnect();

    // The watchdog's list holds the live process groups only: the stopped broker's leaves it, the new one's joins.
    const watched = () => readFileSync(path.join(stack().dir, 'pids'), 'utf8').trim().split('\n');
    const before = watched();
    // Kafka, Connect, MariaDB, Elasticsearch, ksqlDB and the Schema Registry where installed, and Flink's three.
    const servers =
      4 +
      ('url' in stack().ksqldb ? 1 : 0) +
      ('url' in stack().schemaRegistry ? 1 : 0) +
      ('url' in stack().flink ? 3 : 0);
    expect(before).toHaveLength(servers);

    await stack().stopServer('kafka');
    await expect(client.admin({ retry: { retries: 0 } }).connect()).rejects.toThrow();
    expect(watched()).toHaveLength(servers - 1);
    await stack().startServer('kafka');
    const after = watched();
    expect(after).toHaveLength(servers);
    expect(after.filter((pid) => !before.includes(pid))).toHaveLength(1);

    // A client with kafkajs's usual retries: right after a restart a partition may briefly have no leader yet.
    const admin = client.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => o.high)).toEqual(['1']);
    } finally {
      await admin.disconnect();
    }
  });

  it('MariaDB keeps its rows across a restart', async () => {
    const { host, port, user, password, database } = stack().mariadb;
    const connect = () => mysql.createConnection({ host, port, user, password, database, connectTimeout: 2_000 });
    const table = `RESTART_${Date.now()}`;
    const before = await connect();
    await before.query(`CREATE TABLE ${table} (id INT PRIMARY KEY)`);
    await before.query(`INSERT INTO ${table} VALUES (42)`);
    await before.end();

    await stack().stopServer('mariadb');
    await expect(connect()).rejects.toThrow(/ECONNREFUSED/);
    await stack().startServer('mariadb');

    const after = await connect();
    try {
      const [rows] = await after.query(`SELECT id FROM ${table}`);
      expect(rows).toEqual([{ id: 42 }]);
    } finally {
      await after.end();
    }
  });
});
