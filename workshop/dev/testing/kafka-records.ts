/** Test helpers that read what a topic holds, waiting with a deadline instead of sleeping. */
import type { Consumer } from 'kafkajs';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';

export interface TopicRecord {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
}

/** A consumer that collects every record of a topic from the beginning, into `records`, until closed. */
export async function collectTopic(bootstrapServers: string, topic: string) {
  const kafka = kafkaClient({
    clientId: 'test-collector',
    brokers: bootstrapServers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
  });
  const consumer: Consumer = kafka.consumer({ groupId: `test-collector-${topic}-${Date.now()}` });
  const records: TopicRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      records.push({
        key: message.key === null ? null : message.key.toString(),
        value: message.value === null ? null : message.value.toString(),
        partition,
        offset: message.offset,
      });
    },
  });
  return {
    records,
    /** Waits until `condition` holds for the records collected so far. */
    async until(what: string, condition: (records: TopicRecord[]) => boolean, timeoutMs = 60_000) {
      await waitFor({
        what,
        probe: async () => (condition(records) ? records : new NotYet(`${records.length} records so far`)),
        timeoutMs,
      });
      return records;
    },
    close: () => consumer.disconnect(),
  };
}

/** Waits until `topic` exists on the broker (a connector creates its topics when its first record arrives). */
export async function waitForTopic(bootstrapServers: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = kafkaClient({ brokers: bootstrapServers }).admin();
  await admin.connect();
  try {
    await waitFor({
      what: `topic ${topic} to exist`,
      timeoutMs,
      intervalMs: 500,
      probe: async () => ((await admin.listTopics()).includes(topic) ? true : new NotYet('not created yet')),
    });
  } finally {
    await admin.disconnect();
  }
}
