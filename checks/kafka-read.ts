/**
 * Reading a bounded range of a topic for a check: from given offsets up to the end offsets seen at the start, or until
 * a record matches. A consumer without committed offsets, on a throw-away group, so checks never move a learner's
 * consumer group.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from './services.js';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
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

/**
 * Reads the given ranges, or stops early when `stopWhen` says so. Rejects with a timeout message if the records do
 * not arrive by the deadline (they are known to exist, so that means the broker is not serving them).
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
  const timer = setTimeout(
    () => fail?.(new Error(`records of "${topic}" did not arrive within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const range of ranges) consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
    });
    if (remaining.size === 0 && !options.stopWhen) settle?.();
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = remaining.get(partition);
        const offset = BigInt(message.offset);
        const record: ReadRecord = {
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
        };
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
