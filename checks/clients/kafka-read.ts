/**
 * Reading a bounded range of a topic for a check: from given offsets up to the end offsets seen at the start, or until
 * a record matches. A consumer without committed offsets, on a throw-away group, so checks never move a learner's
 * consumer group.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TimeoutError } from '#core/errors.js';
import type { Services } from './services.js';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  /** The record's timestamp, epoch ms: what ksqlDB windows and joins on (ROWTIME). */
  timestamp: number;
  /** The key as bytes, for keys that are not text (a windowed key ends with 8 bytes of window start). */
  keyBytes: Buffer | null;
  /** The value as bytes, for values that are not text (Avro in Confluent's wire format). */
  valueBytes: Buffer | null;
}

/** A record as kafkajs hands it to a consumer, with its key and value as text too. */
export function toReadRecord(partition: number, message: KafkaMessage): ReadRecord {
  return {
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString(),
    value: message.value === null ? null : message.value.toString(),
    timestamp: Number(message.timestamp),
    keyBytes: message.key,
    valueBytes: message.value,
  };
}

export interface PartitionRange {
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** One past the last offset to read (the high watermark at the start). */
  to: bigint;
}

/** The offsets of every partition: low (first kept) and high (next to be written). */
export async function topicOffsets(services: Services, topic: string) {
  return services.withKafkaAdmin(async (admin) =>
    (await admin.fetchTopicOffsets(topic)).map((p) => ({
      partition: p.partition,
      low: BigInt(p.low),
      high: BigInt(p.high),
    })),
  );
}

/** For each partition, the first offset whose record is at or after `timestamp` (the end offset if none is). */
export async function offsetsAtTime(services: Services, topic: string, timestamp: number) {
  return services.withKafkaAdmin(async (admin) => {
    const [atTime, ends] = await Promise.all([
      admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
      admin.fetchTopicOffsets(topic),
    ]);
    // Kafka answers -1 where no record is that recent.
    return atTime.map((p) => ({
      partition: p.partition,
      offset:
        Number(p.offset) >= 0 ? BigInt(p.offset) : BigInt(ends.find((e) => e.partition === p.partition)?.high ?? 0),
    }));
  });
}

/**
 * Reads the given ranges; with `stopWhen`, reads on until a record matches or the deadline passes, and returns what
 * it read. Without it, rejects with a TimeoutError if the records do not arrive by the deadline: they are known to
 * exist, so the broker is not serving them.
 */
export async function readRanges(
  services: Services,
  topic: string,
  ranges: PartitionRange[],
  options: { timeoutMs: number; stopWhen?: (record: ReadRecord) => boolean },
): Promise<ReadRecord[]> {
  const wanted = ranges.filter((r) => r.to > r.from);
  const records: ReadRecord[] = [];
  if (wanted.length === 0 && !options.stopWhen) return records;
  const consumer = services.kafka().consumer({
    groupId: `workshop-check-${randomUUID()}`,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 100,
    retry: { retries: 0 },
  });
  const remaining = new Map(wanted.map((r) => [r.partition, r]));
  let settle: (() => void) | undefined;
  let fail: ((error: Error) => void) | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Waiting for a record that may never come (stopWhen) ends quietly at the deadline; a known range must arrive.
  const timer = setTimeout(
    () =>
      options.stopWhen
        ? settle?.()
        : fail?.(
            new TimeoutError(
              `Kafka did not deliver the records of topic "${topic}" within ${options.timeoutMs / 1000} s`,
              'Kafka may be overloaded or restarting: npm run status, then check again',
            ),
          ),
    options.timeoutMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, (event) => {
      fail?.(new TimeoutError(`reading topic "${topic}" failed: ${event.payload.error.message}`));
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const range of ranges) consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
    });
    if (remaining.size === 0 && !options.stopWhen) settle?.();
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = remaining.get(partition);
        const offset = BigInt(message.offset);
        const record = toReadRecord(partition, message);
        if (range && offset < range.to) records.push(record);
        else if (options.stopWhen) records.push(record);
        if (options.stopWhen?.(record)) {
          settle?.();
          return;
        }
        if (range && offset + 1n >= range.to) remaining.delete(partition);
        if (remaining.size === 0 && !options.stopWhen) settle?.();
      },
    });
    await finished;
    return records;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Every record a topic holds now, from its first kept offset to its end: for the small topics of a table. */
export async function readWholeTopic(services: Services, topic: string): Promise<ReadRecord[]> {
  const offsets = await topicOffsets(services, topic);
  return readRanges(
    services,
    topic,
    offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
    { timeoutMs: Math.max(15_000, services.timeouts.requestMs * 2) },
  );
}

/** The newest `count` records of each partition of a topic, as they are now. */
export async function readNewest(services: Services, topic: string, count: number): Promise<ReadRecord[]> {
  const offsets = await topicOffsets(services, topic);
  const ranges = offsets.map((o) => {
    const from = o.high - BigInt(count);
    return { partition: o.partition, from: from > o.low ? from : o.low, to: o.high };
  });
  return readRanges(services, topic, ranges, { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) });
}
