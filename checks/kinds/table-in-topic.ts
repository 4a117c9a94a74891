/**
 * A change-data-capture topic mirrors a database table: the records are flat rows (unwrapped from Debezium's
 * envelope), keyed by the row's id, and the topic's latest state per key holds every row of the table.
 */
import { readWholeTopic } from '#checks/clients/kafka-read.js';
import { type CheckContext, type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface TableInTopic {
  topic: string;
  table: string;
  keyField: string;
  /** The connector that writes the topic, when the step names it: to tell a wrong config from records it wrote before. */
  connector?: string;
}

/** What is wrong with the records, so the connector's current config can be asked whether it still causes it. */
type Problem = 'not-json' | 'wrapped' | 'envelope' | 'key';

type Judged = Observation & { problem?: Problem };

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
export function rowShapeProblem(value: unknown, keyField: string): Judged | undefined {
  if (value === undefined) {
    return { ...fail('a value that is not JSON', 'use the JsonConverter for values'), problem: 'not-json' };
  }
  if (typeof value !== 'object' || value === null) return fail(`a value that is not a row: ${show(value)}`);
  const record = value as Record<string, unknown>;
  if ('schema' in record && 'payload' in record) {
    return {
      ...fail(
        'values wrapped as {"schema":…,"payload":…}',
        'set "value.converter.schemas.enable": "false" in the connector config',
      ),
      problem: 'wrapped',
    };
  }
  if ('before' in record && 'after' in record && 'op' in record) {
    return {
      ...fail(
        'Debezium change envelopes ({"before":…,"after":…,"op":…}), not flat rows',
        'add the io.debezium.transforms.ExtractNewRecordState transform (unwrap) to the connector config',
      ),
      problem: 'envelope',
    };
  }
  if (!(keyField in record)) return fail(`rows without a "${keyField}" field: ${show(value)}`);
  return undefined;
}

/** Why a record key is not the bare id of its row, or undefined when it is. */
export function keyProblem(key: string | null, row: Record<string, unknown>, keyField: string): Judged | undefined {
  const parsed = parseJson(key);
  if (parsed === row[keyField] || key === String(row[keyField])) return undefined;
  const extract = `add the org.apache.kafka.connect.transforms.ExtractField$Key transform with "field": "${keyField}"`;
  if (typeof parsed === 'object' && parsed !== null) {
    return {
      ...fail(
        `key ${show(parsed)} for the row with ${keyField} ${show(row[keyField])}, a struct instead of the id`,
        extract,
      ),
      problem: 'key',
    };
  }
  return { ...fail(`key ${show(key)} for the row with ${keyField} ${show(row[keyField])}`, extract), problem: 'key' };
}

/** Whether a connector config, as it is now, writes records without the problem. */
export function configCures(problem: Problem, config: Record<string, string>, keyField: string): boolean {
  const transforms = (config.transforms ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => ({ type: config[`transforms.${name}.type`] ?? '', field: config[`transforms.${name}.field`] }));
  switch (problem) {
    case 'not-json':
      return (config['value.converter'] ?? '').endsWith('.JsonConverter');
    case 'wrapped':
      return config['value.converter.schemas.enable'] === 'false';
    case 'envelope':
      return transforms.some((t) => t.type === 'io.debezium.transforms.ExtractNewRecordState');
    case 'key':
      // The key must also leave the connector bare: a JsonConverter set on the connector with schemas left on wraps
      // every key as {"schema":…,"payload":…}, whatever the transforms did.
      if (config['key.converter'] !== undefined && config['key.converter.schemas.enable'] !== 'false') return false;
      return transforms.some(
        (t) => t.type === 'org.apache.kafka.connect.transforms.ExtractField$Key' && t.field === keyField,
      );
  }
}

/**
 * A problem the connector's config no longer causes: the records were written before the fix, and a connector
 * does not read its table again when its config changes. Judging them as the learner's current work would be a lie.
 */
async function writtenBeforeTheFix(
  judged: Judged,
  connector: string | undefined,
  keyField: string,
  services: CheckContext['services'],
  stepId: string,
): Promise<Observation> {
  if (!connector || !judged.problem) return judged;
  const answer = await services.connect<Record<string, string>>(`/connectors/${encodeURIComponent(connector)}/config`);
  if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) return judged;
  // Only when the config now writes neither this problem nor the other one a transform fixes: told to reset, the
  // learner must not meet the next mistake of the same config after it.
  const config = answer.body;
  const problems = new Set<Problem>([judged.problem, 'envelope', 'key']);
  if (![...problems].every((problem) => configCures(problem, config, keyField))) return judged;
  return fail(
    `${judged.found}, written before connector "${connector}" had its current config: a connector does not read the table again when its config changes`,
    `clear the old records and start the connector afresh: npm run reset ${stepId}, then apply your config again (npm run connector -- apply <your file>)`,
  );
}

export const tableInTopic: ExpectationKind<TableInTopic> = {
  kind: 'table-in-topic',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only(['topic', 'table', 'keyField', 'connector']);
    return {
      topic: params.string('topic'),
      table: params.string('table'),
      keyField: params.string('keyField'),
      connector: params.optionalString('connector'),
    };
  },
  object: ({ topic }) => `topic "${topic}"`,
  expected: ({ table, keyField }) => `flat rows of ${table}, keyed by ${keyField}, holding every row of the table`,
  observe: async ({ topic, table, keyField, connector }, { services }, _memory, { stepId }): Promise<Observation> => {
    // The table first: without it no connector config can be right, and the message must say so (MySQL's own
    // "Table 'demo.CUSTOMERS' doesn't exist", an environment error: the platform's seed did not run).
    const ids = await services.withMysql(async (db) => {
      const [rows] = await services.query(db, `SELECT \`${keyField}\` AS id FROM \`${table}\``);
      return (rows as { id: unknown }[]).map((r) => String(r.id));
    });
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
    const records = await readWholeTopic(services, topic);
    if (records.length === 0)
      return { ...notYet('the topic is empty (snapshot not written yet?)'), atDeadline: 'fail' };

    // The latest record per key is what a table over the topic holds: judge those, so rows written again after the
    // learner fixed the connector count as fixed. Rows not written since keep their old form: see writtenBeforeTheFix.
    const newest = new Map<string, (typeof records)[number]>();
    for (const record of records) newest.set(`${record.partition}/${record.key}`, record);
    const latest = new Map<string, Record<string, unknown>>();
    for (const record of newest.values()) {
      const value = parseJson(record.value);
      // A deleted row: a tombstone, or the JSON null that the JsonConverter writes for a delete that keeps its schema.
      if (value === null) continue;
      const problem =
        rowShapeProblem(value, keyField) ?? keyProblem(record.key, value as Record<string, unknown>, keyField);
      if (problem) return writtenBeforeTheFix(problem, connector, keyField, services, stepId);
      const row = value as Record<string, unknown>;
      latest.set(String(row[keyField]), row);
    }
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
