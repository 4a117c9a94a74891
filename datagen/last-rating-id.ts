/**
 * Where a run of `datagen ratings` continues: after the highest rating_id the topic already holds, so restarting the
 * generator, or running it again into the same topic, never repeats a rating_id (a record key).
 *
 * Read from the end of each partition: the offsets first (admin), then the last records of every partition that has
 * any (a consumer that seeks there). Not only the very last record: at full speed several producers' batches are in
 * flight at once, so a partition may end with a batch of lower ids written just after the highest one. Claims are
 * handed out in order and each producer has one batch in flight, so the highest id is within the last
 * `maxProducers` batches of its partition.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { kafkaClient } from '#core/kafka-client.js';
import { RatingSequence } from './rating.js';
import { maxProducers } from './ratings-pool.js';

/** How many records at the end of each partition are read. */
export const tailRecords = maxProducers * RatingSequence.blockSize;

/** The rating_id of a record of the ratings topic: its key (the id as a string), else its JSON value's rating_id. */
export function ratingIdOf(
  record: { key: Buffer | string | null; value: Buffer | string | null },
  idName = 'rating_id',
): number | undefined {
  const key = record.key?.toString();
  if (key !== undefined && /^\d{1,16}$/.test(key)) {
    const id = Number(key);
    if (Number.isSafeInteger(id) && id >= 1) return id;
  }
  const value = record.value?.toString();
  if (value === undefined || !value.startsWith('{')) return undefined;
  try {
    const id = (JSON.parse(value) as Record<string, unknown> | null)?.[idName];
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : undefined;
  } catch {
    return undefined;
  }
}

interface Tail {
  partition: number;
  from: bigint;
  last: bigint;
}

/**
 * The highest rating_id at the end of `topic`, or 0 when the topic is empty or does not exist. An EnvironmentError
 * when Kafka does not answer within `timeoutMs`; a WorkshopError when the topic's last records carry no rating_id.
 */
export async function highestRatingId(
  bootstrapServers: string[],
  topic: string,
  timeoutMs: number,
  idName = 'rating_id',
): Promise<number> {
  const kafka = kafkaClient({
    clientId: 'workshop-datagen',
    brokers: bootstrapServers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    // Few retries: the deadline below bounds the whole read, and nothing should keep retrying after it.
    retry: { initialRetryTime: 200, maxRetryTime: 1_000, retries: 3 },
  });
  const where = bootstrapServers.join(',');
  const consumer = kafka.consumer({
    groupId: `workshop-datagen-last-id-${randomUUID()}`,
    // One fetch can bring a whole tail.
    maxBytesPerPartition: 10_485_760,
    maxWaitTimeInMs: 500,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EnvironmentError(
            `Kafka at ${where} did not give the last records of topic ${topic} within ${Math.round(timeoutMs / 1000)} s, to continue its ${idName}s`,
            `check the broker (npm run status), or give --start-id to choose the first ${idName} yourself`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([readHighest(kafka, consumer, topic, idName), deadline]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}

async function partitionTails(kafka: Kafka, topic: string): Promise<Tail[] | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map(({ partition, low, high }) => {
        const [lowest, end] = [BigInt(low), BigInt(high)];
        const from = end - BigInt(tailRecords) > lowest ? end - BigInt(tailRecords) : lowest;
        return { partition, from, last: end - 1n };
      })
      .filter((tail) => tail.last >= tail.from);
  } finally {
    await admin.disconnect();
  }
}

async function readHighest(
  kafka: Kafka,
  consumer: ReturnType<Kafka['consumer']>,
  topic: string,
  idName: string,
): Promise<number> {
  const tails = await partitionTails(kafka, topic);
  if (!tails || tails.length === 0) return 0;
  const pending = new Map(tails.map((tail) => [tail.partition, tail]));
  let highest = 0;
  let records = 0;
  let whenRead: () => void = () => undefined;
  const read = new Promise<void>((resolve) => {
    whenRead = resolve;
  });
  await consumer.connect();
  // From the beginning should the seeks below come late: the offsets before a tail are skipped, never missed.
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const tail = pending.get(batch.partition);
      if (!tail) return;
      for (const message of batch.messages) {
        if (BigInt(message.offset) < tail.from || BigInt(message.offset) > tail.last) continue;
        records += 1;
        highest = Math.max(highest, ratingIdOf(message, idName) ?? 0);
      }
      // An empty batch (only control records left, say) reports the partition's end as its last offset.
      if (BigInt(batch.lastOffset()) >= tail.last) {
        pending.delete(batch.partition);
        if (pending.size === 0) whenRead();
      }
    },
  });
  for (const tail of tails) consumer.seek({ topic, partition: tail.partition, offset: String(tail.from) });
  await read;
  if (highest === 0 && records > 0) {
    throw new WorkshopError(
      `topic ${topic} holds records, but its last ${records} carry no ${idName} (neither a numeric key nor a JSON ${idName}), so the generator cannot tell where to continue`,
      `give --start-id to choose the first ${idName}, or produce to another --topic`,
    );
  }
  return highest;
}
