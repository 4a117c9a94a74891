/**
 * A change-data-capture topic mirrors a database table: the records are flat rows (unwrapped from Debezium's
 * envelope), keyed by the row's id, and the topic's latest state per key holds every row of the table.
 */
import { readRanges, topicOffsets } from '../kafka-read.js';
import { type ExpectationKind, fail, notYet, pass } from '../kind.js';
import type { Observation } from '../types.js';

interface TableInTopic {
  topic: string;
  table: string;
  keyField: string;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/** Why a record value is not a flat row with the key field, or undefined when it is one. */
export function rowShapeProblem(value: unknown, keyField: string): Observation | undefined {
  if (value === undefined) return fail('a value that is not JSON', 'use the JsonConverter for values');
  if (typeof value !== 'object' || value === null) return fail(`a value that is not a row: ${show(value)}`);
  const record = value as Record<string, unknown>;
  if ('schema' in record && 'payload' in record) {
    return fail(
      'values wrapped as {"schema":…,"payload":…}',
      'set "value.converter.schemas.enable": "false" in the connector config',
    );
  }
  if ('before' in record && 'after' in record && 'op' in record) {
    return fail(
      'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows',
      'add the io.debezium.transforms.ExtractNewRecordState transform (unwrap) to the connector config',
    );
  }
  if (!(keyField in record)) return fail(`rows without a "${keyField}" field: ${show(value)}`);
  return undefined;
}

/** Why a record key is not the bare id of its row, or undefined when it is. */
export function keyProblem(
  key: string | null,
  row: Record<string, unknown>,
  keyField: string,
): Observation | undefined {
  const parsed = parseJson(key);
  if (parsed === row[keyField] || key === String(row[keyField])) return undefined;
  const extract = `add the org.apache.kafka.connect.transforms.ExtractField$Key transform with "field": "${keyField}" (records written before the fix keep their old keys: reset the step to clear them)`;
  if (typeof parsed === 'object' && parsed !== null) {
    return fail(
      `key ${show(parsed)} for the row with ${keyField} ${show(row[keyField])}, a struct instead of the id`,
      extract,
    );
  }
  return fail(`key ${show(key)} for the row with ${keyField} ${show(row[keyField])}`, extract);
}

export const tableInTopic: ExpectationKind<TableInTopic> = {
  kind: 'table-in-topic',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only(['topic', 'table', 'keyField']);
    return { topic: params.string('topic'), table: params.string('table'), keyField: params.string('keyField') };
  },
  object: ({ topic }) => `topic "${topic}"`,
  expected: ({ table, keyField }) => `flat rows of ${table}, keyed by ${keyField}, holding every row of the table`,
  observe: async ({ topic, table, keyField }, { services }): Promise<Observation> => {
    const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
    if (!topics.includes(topic)) {
      const similar = topics.filter((t) => t.toLowerCase().includes(table.toLowerCase()));
      return {
        ...notYet(
          similar.length > 0 ? `no such topic; similar: ${similar.join(', ')}` : 'no such topic',
          'check the connector’s "topic.prefix" and "table.include.list"',
        ),
        atDeadline: 'fail',
      };
    }
    const offsets = await topicOffsets(services, topic);
    const records = await readRanges(
      services,
      topic,
      offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
      { timeoutMs: Math.max(15_000, services.timeouts.requestMs * 2) },
    );
    if (records.length === 0)
      return { ...notYet('the topic is empty (snapshot not written yet?)'), atDeadline: 'fail' };

    // The latest record per key is what a table over the topic holds: judge those, so records written before the
    // learner fixed the connector do not count against the fix.
    const newest = new Map<string, (typeof records)[number]>();
    for (const record of records) newest.set(`${record.partition}/${record.key}`, record);
    const latest = new Map<string, Record<string, unknown>>();
    for (const record of newest.values()) {
      const value = parseJson(record.value);
      // A deleted row: a tombstone, or the JSON null that the JsonConverter writes for a delete that keeps its schema.
      if (value === null) continue;
      const shape = rowShapeProblem(value, keyField);
      if (shape) return shape;
      const row = value as Record<string, unknown>;
      const badKey = keyProblem(record.key, row, keyField);
      if (badKey) return badKey;
      latest.set(String(row[keyField]), row);
    }
    const ids = await services.withMysql(async (db) => {
      const [rows] = await services.query(db, `SELECT \`${keyField}\` AS id FROM \`${table}\``);
      return (rows as { id: unknown }[]).map((r) => String(r.id));
    });
    const missing = ids.filter((id) => !latest.has(id));
    if (missing.length > 0) {
      const list = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
      return {
        ...notYet(`${latest.size} of ${ids.length} rows; missing ${keyField} ${list}`),
        atDeadline: 'fail',
      };
    }
    return pass(`${ids.length} rows of ${table} as flat records keyed by ${keyField}`);
  },
};
