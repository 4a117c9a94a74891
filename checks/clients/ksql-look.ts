/**
 * What the ksqlDB expectation kinds share: finding the query that writes an object, which input records it has
 * processed (its committed offsets), why records failed (the processing log), and reading and judging the records
 * of ksqlDB's topics. None of it knows a step.
 */

import { fail, notYet, type Params } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { offsetsAtTime, type PartitionRange, type ReadRecord, readRanges, topicOffsets } from './kafka-read.js';
import type { KsqlClient, QueryDescription, SourceDescription } from './ksqldb.js';
import type { Services } from './services.js';

/** The processing log's topic for a service id (ksqlDB's ReservedInternalTopics: `<service id>ksql_processing_log`). */
export const processingLogTopic = (serviceId: string) => `${serviceId}ksql_processing_log`;

/** An object with the query that writes it and where that query has got to in each topic it reads. */
export interface Written {
  source: SourceDescription;
  queryId: string;
  state: string;
  /** Committed offsets of the query, by input topic and partition: records below them are processed. */
  committed: Map<string, Map<number, bigint>>;
  /** The query's own description: its errors and the properties it was created with. */
  query: QueryDescription | undefined;
}

export type WrittenLook = { written: Written } | { missing: string } | { notWritten: string };

/** DESCRIBE EXTENDED of an object and EXPLAIN of the query writing it. */
export async function lookAtWritten(
  client: KsqlClient,
  name: string,
  described?: SourceDescription,
): Promise<WrittenLook> {
  const source = described ?? (await client.describe(name, true));
  if (!source) return { missing: await missingMessage(client, name) };
  const writer = source.writeQueries[0];
  if (!writer) return { notWritten: `${source.type} ${name} exists, but no query writes it` };
  const committed = new Map<string, Map<number, bigint>>();
  const summaries = (source as SourceDescription & { queryOffsetSummaries?: OffsetSummary[] }).queryOffsetSummaries;
  for (const summary of summaries ?? []) {
    for (const topic of summary.topicSummaries) {
      const partitions = committed.get(topic.kafkaTopic) ?? new Map<number, bigint>();
      for (const offset of topic.offsets) {
        if (offset.consumerOffset >= 0) partitions.set(offset.partition, BigInt(offset.consumerOffset));
      }
      committed.set(topic.kafkaTopic, partitions);
    }
  }
  return {
    written: {
      source,
      queryId: writer.id,
      state: writer.state ?? 'UNKNOWN',
      committed,
      query: await client.explain(writer.id).catch(() => undefined),
    },
  };
}

interface OffsetSummary {
  groupId: string;
  topicSummaries: { kafkaTopic: string; offsets: { partition: number; consumerOffset: number }[] }[];
}

/** "no stream or table X": with the objects there are, and the one that differs only in case. */
export async function missingMessage(client: KsqlClient, name: string): Promise<string> {
  const sources = await client.sources();
  const similar = sources.find((s) => s.name.toUpperCase() === name.toUpperCase());
  if (similar) {
    return `no stream or table ${name}, but there is ${similar.type} \`${similar.name}\` (a quoted name keeps its case)`;
  }
  return `no stream or table ${name}; there are: ${sources.map((s) => s.name).join(', ') || 'none'}`;
}

/** Whether the query was created to read its input from the start (SET 'auto.offset.reset' = 'earliest'). */
export function readsFromEarliest(written: Written): boolean {
  const overridden = (
    written.query as (QueryDescription & { overriddenProperties?: Record<string, unknown> }) | undefined
  )?.overriddenProperties;
  return (
    overridden?.['auto.offset.reset'] === 'earliest' || overridden?.['ksql.streams.auto.offset.reset'] === 'earliest'
  );
}

export interface ProcessingError {
  logger: string;
  time: number;
  target?: string;
  message: string;
  topic?: string;
}

interface ProcessingLogRecord {
  logger?: string;
  time?: number;
  message?: {
    type?: number;
    deserializationError?: {
      target?: string;
      errorMessage?: string;
      recordB64?: string | null;
      cause?: string[];
      topic?: string;
    } | null;
    recordProcessingError?: { errorMessage?: string; cause?: string[] } | null;
    serializationError?: { errorMessage?: string; cause?: string[]; topic?: string } | null;
    productionError?: { errorMessage?: string } | null;
  };
}

/**
 * The newest errors ksqlDB logged for some queries (the processing log, newest last). A delete that reached a table's
 * topic as the JSON text `null` fails to deserialize too, harmlessly: such errors are left out.
 */
export async function processingErrors(
  services: Services,
  serviceId: string,
  queryIds: string[],
  newest = 200,
): Promise<ProcessingError[]> {
  const topic = processingLogTopic(serviceId);
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic) || queryIds.length === 0) return [];
  const offsets = await topicOffsets(services, topic);
  const ranges: PartitionRange[] = offsets.map((o) => ({
    partition: o.partition,
    from: o.high - BigInt(newest) > o.low ? o.high - BigInt(newest) : o.low,
    to: o.high,
  }));
  const records = await readRanges(services, topic, ranges, { timeoutMs: services.timeouts.requestMs * 2 });
  const errors: ProcessingError[] = [];
  for (const record of records) {
    const entry = parseJson(record.value) as ProcessingLogRecord | undefined;
    const logger = entry?.logger ?? '';
    if (!queryIds.some((id) => logger.startsWith(`processing.${id}.`))) continue;
    const message = entry?.message;
    const deserialization = message?.deserializationError;
    if (deserialization) {
      if (deserialization.recordB64 && Buffer.from(deserialization.recordB64, 'base64').toString() === 'null') continue;
      errors.push({
        logger,
        time: entry?.time ?? record.timestamp,
        target: deserialization.target,
        topic: deserialization.topic,
        message: [deserialization.errorMessage, ...(deserialization.cause ?? [])].filter(Boolean).join(': '),
      });
      continue;
    }
    const other = message?.recordProcessingError ?? message?.serializationError ?? message?.productionError;
    if (other?.errorMessage)
      errors.push({ logger, time: entry?.time ?? record.timestamp, message: other.errorMessage });
  }
  return errors;
}

/** The newest error, as a learner should read it: "ksqlDB could not read the key of a record of topic ratings: …". */
export function describeProcessingError(error: ProcessingError): string {
  const what = error.target
    ? `the ${error.target} of a record${error.topic ? ` of topic "${error.topic}"` : ''}`
    : 'a record';
  return `ksqlDB could not read ${what}: ${error.message}`;
}

/** The newest error ksqlDB logged for one query, as a learner should read it; undefined when there is none. */
export async function newestProcessingError(
  client: KsqlClient,
  services: Services,
  queryId: string,
): Promise<string | undefined> {
  const errors = await processingErrors(services, await client.serviceId(), [queryId]);
  const last = errors[errors.length - 1];
  return last ? describeProcessingError(last) : undefined;
}

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A tumbling or hopping window's key in Kafka: the inner key, then the window start as a big-endian long. */
export function decodeWindowedKey(bytes: Buffer): { key: string; windowStart: number } | undefined {
  if (bytes.length < 8) return undefined;
  const inner = bytes.subarray(0, bytes.length - 8).toString('utf8');
  const parsed = parseJson(inner);
  return {
    key: parsed === undefined || parsed === null || typeof parsed === 'object' ? inner : String(parsed),
    windowStart: Number(bytes.readBigInt64BE(bytes.length - 8)),
  };
}

/** A column of a JSON row, by name in any case (ksqlDB upper-cases names; the producer writes lower case). */
export function column(row: unknown, name: string): unknown {
  if (typeof row !== 'object' || row === null) return undefined;
  const record = row as Record<string, unknown>;
  if (name in record) return record[name];
  const wanted = name.toUpperCase();
  const key = Object.keys(record).find((k) => k.toUpperCase() === wanted);
  return key === undefined ? undefined : record[key];
}

/** A record's identity: a column of its value, or else its key (ksqlDB keeps key columns out of the value). */
export function recordId(record: ReadRecord, idColumn: string): string | undefined {
  const fromValue = column(parseJson(record.value), idColumn);
  if (fromValue !== undefined && fromValue !== null) return String(fromValue);
  if (record.key === null) return undefined;
  const key = parseJson(record.key);
  return key === undefined || key === null ? record.key : String(key);
}

/** The newest processed records of an input topic: up to `sample` below the query's committed offsets. */
export async function processedInput(
  services: Services,
  topic: string,
  committed: Map<number, bigint>,
  sample: number,
): Promise<ReadRecord[]> {
  const offsets = await topicOffsets(services, topic);
  const perPartition = BigInt(Math.max(1, Math.ceil(sample / Math.max(1, offsets.length))));
  const ranges = offsets.map((o) => {
    const to = committed.get(o.partition) ?? o.low;
    return { partition: o.partition, from: to - perPartition > o.low ? to - perPartition : o.low, to };
  });
  return readRanges(services, topic, ranges, { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) });
}

/** Every record of a topic from the first at or after `since` (by timestamp) to its current end. */
export async function recordsSince(services: Services, topic: string, since: number): Promise<ReadRecord[]> {
  const [starts, ends] = await Promise.all([offsetsAtTime(services, topic, since), topicOffsets(services, topic)]);
  const ranges = ends.map((end) => ({
    partition: end.partition,
    from: starts.find((s) => s.partition === end.partition)?.offset ?? end.low,
    to: end.high,
  }));
  return readRanges(services, topic, ranges, { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) });
}

/** The first record of each partition of a topic: when an output began. */
export async function firstRecordTime(services: Services, topic: string): Promise<number | undefined> {
  const offsets = await topicOffsets(services, topic);
  const records = await readRanges(
    services,
    topic,
    offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.low + 1n > o.high ? o.high : o.low + 1n })),
    { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) },
  );
  return records.length === 0 ? undefined : Math.min(...records.map((r) => r.timestamp));
}

/** The comparisons a step file can write; LIKE as ksqlDB's: % any text, _ one character, case-sensitive. */
export const conditionOperators = ['<', '<=', '=', '!=', '>', '>=', 'LIKE'] as const;

/** A condition on a column, as a step file writes it. */
export interface Condition {
  column: string;
  op: (typeof conditionOperators)[number];
  value: string | number;
}

/** The `where:` list of a step file: each a column, an operator and a value. */
export function parseConditions(params: Params, name = 'where'): Condition[] {
  return params.mappings(name).map((c) => {
    c.only(['column', 'op', 'value']);
    return { column: c.string('column'), op: c.oneOf('op', conditionOperators), value: c.literal('value') };
  });
}

/** A LIKE pattern as a regular expression that matches the whole text. */
export function likePattern(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export function holds(row: unknown, condition: Condition): boolean {
  const actual = column(row, condition.column);
  if (actual === undefined || actual === null) return false;
  if (condition.op === 'LIKE') return likePattern(String(condition.value)).test(String(actual));
  const [a, b] =
    typeof condition.value === 'number' ? [Number(actual), condition.value] : [String(actual), condition.value];
  switch (condition.op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

export const describeConditions = (conditions: Condition[]) =>
  conditions
    .map((c) => `${c.column.toUpperCase()} ${c.op} ${typeof c.value === 'number' ? c.value : `'${c.value}'`}`)
    .join(' AND ');

/** A short view of a row: the named columns only. */
export function showColumns(row: unknown, names: string[]): string {
  return names.map((n) => `${n.toUpperCase()} ${JSON.stringify(column(row, n) ?? null)}`).join(', ');
}

/** The RUNNING query writing an object, or the observation that ends the look (missing, not written, not running). */
export async function runningWriter(client: KsqlClient, name: string): Promise<{ written: Written } | Observation> {
  const look = await lookAtWritten(client, name);
  if ('missing' in look) return fail(look.missing);
  if ('notWritten' in look) return fail(look.notWritten);
  const { written } = look;
  if (written.state !== 'RUNNING') {
    return { ...notYet(`query ${written.queryId} is ${written.state}`), atDeadline: 'fail' };
  }
  return { written };
}

/**
 * What a query's output is judged against: the newest records of its input that it has processed, from the time
 * its output began when it started at the end of its input (records before were never its to handle), and the
 * time of the oldest of them. Or the observation that ends the look.
 */
export async function processedByWriter(
  client: KsqlClient,
  services: Services,
  output: string,
  inputTopic: string,
  sample: number,
): Promise<{ written: Written; input: ReadRecord[]; since: number } | Observation> {
  const writer = await runningWriter(client, output);
  if (!('written' in writer)) return writer;
  const { written } = writer;
  const committed = written.committed.get(inputTopic);
  if (!committed || committed.size === 0) {
    return notYet(`query ${written.queryId} has not processed records of "${inputTopic}" yet`);
  }
  let input = await processedInput(services, inputTopic, committed, sample);
  if (input.length === 0) return notYet(`no processed records of "${inputTopic}" yet`);
  const since = Math.min(...input.map((r) => r.timestamp));
  if (!readsFromEarliest(written)) {
    const began = await firstRecordTime(services, written.source.topic);
    if (began === undefined) {
      return notYet(
        `${output} is empty; its query reads only records that arrived after it started (SET 'auto.offset.reset' = 'earliest' reads them all)`,
      );
    }
    input = input.filter((r) => r.timestamp >= began);
  }
  return { written, input, since };
}
