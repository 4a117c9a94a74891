import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { stackVersions } from './artifacts.js';

const kafkajsVersion = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

describeWithStack('kafkajs against the real Kafka broker', (stack) => {
  const client = () =>
    kafkaClient({
      clientId: 'foundation-test',
      brokers: [stack().kafka.bootstrapServers],
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
    });

  it(`kafkajs ${kafkajsVersion} produces and consumes keyed records on Kafka ${stackVersions().kafka}`, async () => {
    const kafka = client();
    const topic = `foundation-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: String(i + 1), value: JSON.stringify({ n: i + 1 }) }));
    const acks = await producer.send({ topic, acks: -1, messages: sent });
    expect(acks.every((ack) => ack.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string; partition: number }[] = [];
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        received.push({ key: String(message.key), value: String(message.value), partition });
      },
    });
    await waitFor({
      what: 'the 30 records to be consumed',
      probe: async () => (received.length >= sent.length ? true : new NotYet(`${received.length} of 30 arrived`)),
      timeoutMs: 60_000,
    });
    await consumer.disconnect();

    expect(received.map((r) => Number(r.key)).sort((a, b) => a - b)).toEqual(sent.map((s) => Number(s.key)));
    for (const record of received) expect(JSON.parse(record.value)).toEqual({ n: Number(record.key) });
    // Keys decide partitions: every record with one key sits in one partition, and more than one partition is used.
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);
  });
});
