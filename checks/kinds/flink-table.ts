/**
 * A Flink SQL table is declared over the right topic, the right way: the connector (kafka for an append-only stream
 * of events, upsert-kafka for a changelog keyed by its primary key), the columns it reads named exactly as the
 * fields of the topic's JSON records (Flink's JSON format matches names case-sensitively, so a wrong case reads null
 * in every row), and, where the step needs event time, a watermark. Judged on the declaration Flink itself gave when
 * the table was made (the kit keeps it for every session) and on the topic's own records.
 */
import { declarationsPath } from '#checks/clients/flink-declarations.js';
import { declaredTables, type FlinkTable } from '#checks/clients/flink-look.js';
import { readNewest } from '#checks/clients/kafka-read.js';
import { parseJson } from '#checks/clients/ksql-look.js';
import { type ExpectationKind, fail, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface FlinkTableExpectation {
  name: string;
  topic: string;
  connector: string;
  /** The table needs a watermark (an event-time join or window reads it). */
  watermark: boolean;
  /** For upsert-kafka: the primary key's columns. */
  primaryKey: string[];
  /** Columns the table must have (more are fine). */
  columns: string[];
}

/** The columns a table reads from a record's value: the physical ones, less the key's where the value leaves it out. */
function valueColumns(table: FlinkTable): string[] {
  const exceptKey = table.options['value.fields-include'] === 'EXCEPT_KEY';
  const keyFields =
    table.options['key.fields']?.split(';') ?? (table.options.connector === 'upsert-kafka' ? table.primaryKey : []);
  return table.columns
    .filter((c) => !c.derived)
    .map((c) => c.name)
    .filter((c) => !(exceptKey && keyFields.includes(c)));
}

export const flinkTable: ExpectationKind<FlinkTableExpectation> = {
  kind: 'flink-table',
  deadlineMs: 5_000,
  parse: (params) => {
    params.only(['name', 'topic', 'connector', 'watermark', 'primaryKey', 'columns']);
    return {
      name: params.string('name'),
      topic: params.string('topic'),
      connector: params.optionalString('connector') ?? 'kafka',
      watermark: params.boolean('watermark', false),
      primaryKey: params.strings('primaryKey'),
      columns: params.strings('columns'),
    };
  },
  judges: ({ name }) => name,
  object: ({ name }) => `Flink table ${name}`,
  expected: ({ topic, connector, watermark, primaryKey }) =>
    `a '${connector}' table over topic ${topic}${primaryKey.length > 0 ? ` with PRIMARY KEY (${primaryKey.join(', ')})` : ''}, its columns named as the fields of the topic's records${watermark ? ', with a WATERMARK' : ''}`,
  observe: async (params, { services }): Promise<Observation> => {
    services.requirePresent('Flink SQL Gateway');
    const tables = declaredTables();
    const table = tables.find((t) => t.name === params.name);
    if (!table) {
      const similar = tables.find((t) => t.name.toLowerCase() === params.name.toLowerCase());
      return fail(
        similar
          ? `no table ${params.name}, but ${similar.name}: Flink's names are case-sensitive`
          : `no Flink table ${params.name} is declared (${tables.length === 0 ? 'none is' : `declared: ${tables.map((t) => t.name).join(', ')}`}; the kit keeps them in ${declarationsPath()})`,
      );
    }
    const topic = table.options.topic;
    if (topic !== params.topic) {
      return fail(`${params.name} reads topic ${topic === undefined ? '(none)' : `'${topic}'`}, not '${params.topic}'`);
    }
    if (table.options.connector !== params.connector) {
      return fail(`${params.name} is a '${table.options.connector}' table, not '${params.connector}'`);
    }
    const missingKey = params.primaryKey.filter((k) => !table.primaryKey.includes(k));
    if (missingKey.length > 0) {
      return fail(
        `${params.name} has ${table.primaryKey.length === 0 ? 'no PRIMARY KEY' : `PRIMARY KEY (${table.primaryKey.join(', ')})`}, not (${params.primaryKey.join(', ')})`,
      );
    }
    if (params.watermark && !table.watermark) {
      return fail(
        `${params.name} has no WATERMARK: Flink knows no event time on it, so no window or temporal join over it ever completes`,
      );
    }
    const described = `'${table.options.connector}' over ${params.topic}, ${table.columns.length} columns${table.watermark ? `, WATERMARK FOR ${table.watermark.column}` : ''}${table.primaryKey.length > 0 ? `, PRIMARY KEY (${table.primaryKey.join(', ')})` : ''}`;
    // The columns it reads, against the fields of the topic's records: a wrong name (or case) reads null, silently.
    const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
    const json = (table.options.format ?? table.options['value.format']) === 'json';
    const records =
      !json || !topics.includes(params.topic)
        ? []
        : (await readNewest(services, params.topic, 20))
            .map((r) => parseJson(r.value))
            .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
    if (records.length > 0) {
      const fields = new Set(records.flatMap((r) => Object.keys(r)));
      const unknown = valueColumns(table).filter((c) => !fields.has(c));
      if (unknown.length > 0) {
        const named = unknown.map((c) => {
          const same = [...fields].find((f) => f.toLowerCase() === c.toLowerCase());
          return same ? `${c} (the records say ${same})` : c;
        });
        return fail(
          `${params.name}'s column${unknown.length > 1 ? 's' : ''} ${named.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} no field of the records in ${params.topic}: Flink reads ${unknown.length > 1 ? 'them' : 'it'} as null in every row (the records have ${[...fields].join(', ')})`,
        );
      }
    }
    const absent = params.columns.filter((c) => !table.columns.some((t) => t.name === c));
    if (absent.length > 0) {
      return fail(
        `${params.name} has no column ${absent.join(', ')} (it has ${table.columns.map((c) => c.name).join(', ')})`,
      );
    }
    if (records.length === 0) {
      // A table a job is about to write: nothing in its topic yet to compare the columns with.
      return pass(`${described}; topic ${params.topic} has no record yet`);
    }
    return pass(`${described}, named as the records name them`);
  },
};
