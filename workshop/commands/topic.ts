/**
 * `npm run topic -- <name>`: a topic's records as Kafka keeps them — partition, offset, timestamp, key and value
 * (Avro values decoded through the Schema Registry) — so the log, its partitions and offsets are something to look
 * at, not only a slide. `--group G` shows where a consumer group is in the topic: its members and, per partition,
 * its committed offset and its lag. Reads with a throw-away consumer that commits nothing.
 */
import { randomUUID } from 'node:crypto';
import { viewGroup } from '#checks/clients/consumer-group.js';
import { type ReadRecord, readRanges, topicOffsets, toReadRecord } from '#checks/clients/kafka-read.js';
import { decodeWindowedKey } from '#checks/clients/ksql-look.js';
import { Services } from '#checks/clients/services.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode, TimeoutError, WorkshopError } from '#core/errors.js';
import { formatTable, progress, tableRow } from '#core/output.js';
import { NotYet, waitFor } from '#core/wait.js';

export interface TopicOptions {
  'from-beginning': boolean;
  max?: number;
  follow: boolean;
  group?: string;
}

/**
 * How long a topic that is not there yet may take to appear (a producer's first record creates it), and a consumer
 * group to join (an app started a moment ago).
 */
const topicWaitMs = 10_000;

type Decode = (value: Buffer) => Promise<string>;

/** A value as text: JSON or text as it is; Avro in Confluent's wire format decoded with its schema from the registry. */
function valueDecoder(services: Services): Decode {
  let registry: { decode(value: Buffer): Promise<unknown> } | undefined;
  return async (value) => {
    if (value.length >= 5 && value[0] === 0) {
      const id = value.readInt32BE(1);
      if (services.isAbsent('Schema Registry')) return `(Avro, schema id ${id}: no Schema Registry here to decode it)`;
      if (!registry) {
        const { registryClient } = await import('#datagen/avro.js');
        registry = registryClient(services.config.schemaRegistryUrl, services.timeouts.requestMs, 'workshop-topic');
      }
      try {
        return `${JSON.stringify(await registry.decode(value))}  (Avro, schema id ${id})`;
      } catch (error) {
        return `(Avro, schema id ${id}: could not decode: ${(error as Error).message})`;
      }
    }
    return value.toString('utf8');
  };
}

/** A record's timestamp as the learner's clock shows it, to the millisecond. */
function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Window starts a windowed key can hold: 2000 to 2100. A text key's last 8 bytes are never this small. */
const plausibleWindowStart = (ms: number) => ms >= 946_684_800_000 && ms < 4_102_444_800_000;

/**
 * A key as text; a windowed table's key (the group's bytes, then the window start as 8 bytes: steps 7 and 12) as the
 * group and the window's start in local time, not as the bytes' garbage.
 */
export function showKey(record: Pick<ReadRecord, 'key' | 'keyBytes'>): string {
  const bytes = record.keyBytes;
  if (bytes && bytes.length > 8) {
    const windowed = decodeWindowedKey(bytes);
    if (windowed && plausibleWindowStart(windowed.windowStart) && !windowed.key.includes('\ufffd')) {
      return `${windowed.key} (window from ${localTime(windowed.windowStart).slice(11, 19)})`;
    }
  }
  return record.key ?? 'null';
}

const header = ['partition', 'offset', 'timestamp', 'key', 'value'];
const widths = [9, 8, 23, 12, 0];

async function recordRow(record: ReadRecord, decode: Decode): Promise<string[]> {
  return [
    String(record.partition),
    record.offset,
    localTime(record.timestamp),
    showKey(record),
    record.valueBytes === null ? 'null' : await decode(record.valueBytes),
  ];
}

export async function topicCommand({ values, positionals, usageError }: CommandLine<TopicOptions>): Promise<number> {
  const [topic] = positionals;
  if (!topic || positionals.length > 1)
    throw usageError('give one topic name', { hint: 'for example: npm run topic -- ratings' });
  const services = new Services(loadConfig());
  let topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic)) {
    // A producer started a moment ago creates its topic with its first record: wait a little before calling it unknown.
    progress(`no topic "${topic}" yet: waiting up to ${topicWaitMs / 1000} s for it to be created (Ctrl-C to stop)`);
    topics = await waitFor({
      what: `topic "${topic}" to be created`,
      timeoutMs: topicWaitMs,
      intervalMs: 500,
      probe: async () => {
        const now = await services.withKafkaAdmin((admin) => admin.listTopics());
        return now.includes(topic) ? now : new NotYet('not created');
      },
    }).catch((error) => {
      if (error instanceof TimeoutError) return services.withKafkaAdmin((admin) => admin.listTopics());
      throw error;
    });
  }
  if (!topics.includes(topic)) {
    const yours = topics.filter((t) => !t.startsWith('_')).sort();
    throw new WorkshopError(
      `no topic "${topic}" in Kafka (names are case-sensitive); topics: ${yours.join(', ') || 'none yet'}`,
      'check the name, or run the step that writes it first',
    );
  }
  if (values.group !== undefined) return showGroup(services, values.group, topic);

  const kept = (offsets: { low: bigint; high: bigint }[]) => offsets.reduce((sum, o) => sum + (o.high - o.low), 0n);
  let offsets = await topicOffsets(services, topic);
  if (kept(offsets) === 0n) {
    // Created a moment ago, its first records on their way (a connector's snapshot, a producer starting): wait a little.
    progress(`topic "${topic}" is empty: waiting up to ${topicWaitMs / 1000} s for its first record (Ctrl-C to stop)`);
    offsets = await waitFor({
      what: `a record in topic "${topic}"`,
      timeoutMs: topicWaitMs,
      intervalMs: 500,
      probe: async () => {
        const now = await topicOffsets(services, topic);
        return kept(now) > 0n ? now : new NotYet('empty');
      },
    }).catch((error) => {
      if (error instanceof TimeoutError) return offsets;
      throw error;
    });
  }
  const max = BigInt(values.max ?? 10);
  const total = kept(offsets);
  process.stdout.write(
    `topic "${topic}": ${offsets.length} partition(s), ${total} record(s) kept (${offsets.map((o) => `partition ${o.partition}: offsets ${o.low}..${o.high - 1n}`).join('; ')})\n`,
  );
  // From the beginning: the first records of each partition; otherwise the newest. Shown in time order.
  const ranges = offsets.map((o) => {
    const from = values['from-beginning'] ? o.low : o.high - max > o.low ? o.high - max : o.low;
    const to = values['from-beginning'] && o.low + max < o.high ? o.low + max : o.high;
    return { partition: o.partition, from, to };
  });
  const records = await readRanges(services, topic, ranges, {
    timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2),
  });
  const shown = records.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition);
  const chosen = values['from-beginning'] ? shown.slice(0, Number(max)) : shown.slice(-Number(max));
  const decode = valueDecoder(services);
  const rows = await Promise.all(chosen.map((r) => recordRow(r, decode)));
  process.stdout.write(`${formatTable(rows, { header, rule: true, empty: '(no records)' })}\n`);
  if (!values.follow) return ExitCode.ok;

  // --follow: new records as they arrive, until Ctrl-C, from one consumer of its own that commits nothing.
  process.stdout.write('(following: new records as they arrive; Ctrl-C to stop)\n');
  const consumer = services.kafka().consumer({
    groupId: `workshop-topic-${randomUUID()}`,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 200,
  });
  const stopped = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // From where the listing above ended: the end of each partition when it was read.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.high.toString() });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const row = await recordRow(toReadRecord(partition, message), decode);
        process.stdout.write(`${tableRow(row, widths, '  ', { wrap: false })}\n`);
      },
    });
    await stopped;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return ExitCode.ok;
}

/** Where a consumer group is in the topic: its state and members, and per partition its offset and lag. */
async function showGroup(services: Services, group: string, topic: string): Promise<number> {
  type View = Awaited<ReturnType<typeof viewGroup>>;
  const known = (v: View) => v.state !== 'Dead' || v.partitions.some((p) => p.committed !== undefined);
  const committed = (v: View) => v.partitions.some((p) => p.committed !== undefined);
  let view = await viewGroup(services, group, topic);
  if (!committed(view)) {
    // An app started a moment ago joins its group, and commits what it has read, within seconds (a sink connector
    // once its first records are written): wait that long before showing a group with nothing committed.
    progress(
      known(view)
        ? `consumer group "${group}" has committed no offset in topic "${topic}" yet: waiting up to ${topicWaitMs / 1000} s for its first (Ctrl-C to stop)`
        : `no consumer group "${group}" yet: waiting up to ${topicWaitMs / 1000} s for it to join (Ctrl-C to stop)`,
    );
    view = await waitFor({
      what: `consumer group "${group}" to commit an offset in topic "${topic}"`,
      timeoutMs: topicWaitMs,
      intervalMs: 500,
      probe: async () => {
        const now = await viewGroup(services, group, topic);
        return committed(now) ? now : new NotYet('no offsets committed');
      },
    }).catch((error) => {
      if (error instanceof TimeoutError) return viewGroup(services, group, topic);
      throw error;
    });
  }
  if (!known(view)) {
    throw new WorkshopError(
      `consumer group "${group}" has no members and no offsets in topic "${topic}"`,
      'start the app that reads with this group (for step 10: npm run notify), then look again',
    );
  }
  const members = view.members.map((m) => `${m.clientId} (${m.host})`).join(', ');
  process.stdout.write(
    `consumer group "${group}" on topic "${topic}": ${view.state}, ${view.members.length} member(s)${members ? `: ${members}` : ''}\n`,
  );
  const rows = view.partitions.map((p) => [
    String(p.partition),
    p.committed === undefined ? '-' : String(p.committed),
    String(p.high),
    p.lag === undefined ? '-' : String(p.lag),
  ]);
  process.stdout.write(
    `${formatTable(rows, { header: ['partition', 'committed offset', 'end offset', 'lag'], rule: true })}\n`,
  );
  const lag = view.partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n);
  const unread = view.partitions.filter((p) => p.committed === undefined).map((p) => p.partition);
  if (unread.length === view.partitions.length) {
    process.stdout.write(
      `the group has committed no offset in topic "${topic}": it reads other topics, or has not committed yet\n`,
    );
  } else {
    const rest = unread.length > 0 ? `; partition(s) ${unread.join(', ')}: no offset committed yet` : '';
    const all = lag === 0n && unread.length === 0 ? ' (it has read everything)' : '';
    process.stdout.write(`lag: ${lag} record(s) written and not yet read by the group${all}${rest}\n`);
  }
  return ExitCode.ok;
}
