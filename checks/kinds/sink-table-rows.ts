/**
 * A sink connector has written a topic into a database table as the step asks, judged in the table itself: the table
 * exists with a column for every field of the records, its primary key is the records' id field, no id is in it twice,
 * and the newest records the connector has consumed (below its consumer group's committed offsets) are rows with
 * equal values. Values in Avro are decoded with the Schema Registry; JSON values are read as they are.
 */
import { viewGroup } from '#checks/clients/consumer-group.js';
import { readRanges } from '#checks/clients/kafka-read.js';
import { column, parseJson } from '#checks/clients/ksql-look.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface SinkTableRows {
  connector: string;
  topic: string;
  /** database.table */
  table: string;
  /** The field that names a record: the table's primary key. */
  key: string;
  sample: number;
}

type Row = Record<string, unknown>;

/** A value of the record and one of the table's, compared as the sink writes them (numbers, text). */
function sameValue(recordValue: unknown, tableValue: unknown): boolean {
  if (recordValue === null || recordValue === undefined) return tableValue === null || tableValue === undefined;
  if (typeof recordValue === 'number' || typeof recordValue === 'bigint')
    return Number(tableValue) === Number(recordValue);
  return String(tableValue) === String(recordValue);
}

export const sinkTableRows: ExpectationKind<SinkTableRows> = {
  kind: 'sink-table-rows',
  deadlineMs: 30_000,
  parse: (params) => {
    params.only(['connector', 'topic', 'table', 'key', 'sample']);
    const table = params.string('table');
    if (!/^\w+\.\w+$/.test(table)) throw new Error(`"table" must be database.table, found ${JSON.stringify(table)}`);
    const key = params.string('key');
    if (!/^\w+$/.test(key)) throw new Error(`"key" must be a column name, found ${JSON.stringify(key)}`);
    return {
      connector: params.string('connector'),
      topic: params.string('topic'),
      table,
      key,
      sample: params.number('sample', 50),
    };
  },
  object: ({ table }) => `MySQL table ${table}`,
  expected: ({ topic, key, connector }) =>
    `a column for each field of the records of "${topic}", primary key ${key.toLowerCase()}, no ${key.toLowerCase()} twice, and the newest records connector "${connector}" has consumed as rows with the same values`,
  observe: async (params, { services }): Promise<Observation> => {
    // The topic the connector reads, as Connect has its configuration.
    const config = await services.connect<Record<string, string>>(
      `/connectors/${encodeURIComponent(params.connector)}/config`,
    );
    if (config.status === 404) {
      return fail(
        `no connector "${params.connector}" in Kafka Connect`,
        `create it as the step's guide says; npm run connector -- status ${params.connector} tells whether it is there`,
      );
    }
    if (config.status === 200) {
      const topics = (config.body.topics ?? '').split(',').map((t) => t.trim());
      if (!topics.includes(params.topic)) {
        return fail(
          `connector "${params.connector}" reads ${config.body.topics ? `'topics' = '${config.body.topics}'` : config.body['topics.regex'] ? `'topics.regex' = '${config.body['topics.regex']}'` : 'no topics'}, not "${params.topic}"`,
          `the table's rows come from "${params.topic}": npm run connector -- delete ${params.connector}, then create it again with 'topics' = '${params.topic}'`,
        );
      }
    }
    // What the connector has consumed: below its group's committed offsets.
    const group = await viewGroup(services, `connect-${params.connector}`, params.topic);
    const consumed = group.partitions.filter((p) => p.committed !== undefined && p.committed > p.low);
    if (consumed.length === 0)
      return notYet(`connector "${params.connector}" has not consumed records of "${params.topic}" yet`);
    const perPartition = BigInt(Math.max(1, Math.ceil(params.sample / consumed.length)));
    const records = await readRanges(
      services,
      params.topic,
      consumed.map((p) => {
        const to = p.committed as bigint;
        return { partition: p.partition, from: to - perPartition > p.low ? to - perPartition : p.low, to };
      }),
      { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) },
    );
    const [database = '', tableName = ''] = params.table.split('.');
    const key = params.key.toLowerCase();
    const { columns, primaryKey, tables, databases } = await services.withMysql(async (db) => {
      const [cols] = await services.query(
        db,
        'SELECT LOWER(COLUMN_NAME) AS name, COLUMN_KEY AS k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [database, tableName],
      );
      const [names] = await services.query(
        db,
        'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
        [database],
      );
      const [schemas] = await services.query(db, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
      const list = cols as { name: string; k: string }[];
      return {
        databases: (schemas as { name: string }[]).map((d) => d.name).filter((d) => d !== 'information_schema'),
        columns: list.map((c) => c.name),
        primaryKey: list.filter((c) => c.k === 'PRI').map((c) => c.name),
        tables: (names as { name: string }[]).map((t) => t.name),
      };
    });
    if (columns.length === 0 && !databases.includes(database)) {
      return fail(
        `no database ${database} in MySQL (there are ${databases.join(', ') || 'none'} that the kit's user can see)`,
        `a platform whose MySQL volume was made before the kit had this step lacks it: npm run down -- --volumes, then npm run up, makes MySQL afresh (solve the earlier steps again after)`,
      );
    }
    if (columns.length === 0) {
      return fail(
        `no table ${params.table}; database ${database} has ${tables.length === 0 ? 'no tables' : `the tables ${tables.join(', ')}`}`,
        `the connector names its table with "collection.name.format" and creates it with "schema.evolution" = 'basic'; see why it wrote nothing: npm run connector -- status ${params.connector}`,
      );
    }
    let decode: ((value: Buffer) => Promise<unknown>) | undefined;
    const values: Row[] = [];
    for (const record of records) {
      const bytes = record.valueBytes;
      if (!bytes) continue;
      if (bytes.length >= 5 && bytes[0] === 0) {
        if (!decode) {
          const { registryClient } = await import('#datagen/avro.js');
          const registry = registryClient(
            services.config.schemaRegistryUrl,
            services.timeouts.requestMs,
            'workshop-check',
          );
          decode = (value) => registry.decode(value);
        }
        values.push((await decode(bytes)) as Row);
      } else {
        const parsed = parseJson(record.value);
        if (parsed && typeof parsed === 'object') values.push(parsed as Row);
      }
    }
    const fields = [...new Set(values.flatMap((v) => Object.keys(v)))];
    const missingColumns = fields.filter((f) => !columns.includes(f.toLowerCase()));
    if (missingColumns.length > 0) {
      return fail(
        `${params.table} has no column for ${missingColumns.join(', ')} of the records of "${params.topic}" (its columns: ${columns.join(', ')})`,
        `let the sink add the columns: 'schema.evolution' = 'basic'; is the connector on the right topic? ('topics' = '${params.topic}')`,
      );
    }

    const ids = values.map((v) => column(v, params.key)).filter((id) => id !== undefined && id !== null);
    const { rows, twice } = await services.withMysql(async (db) => {
      const quoted = `\`${database}\`.\`${tableName}\``;
      const [found] = ids.length
        ? await services.query(db, `SELECT * FROM ${quoted} WHERE \`${key}\` IN (?)`, [ids])
        : [[]];
      const [repeated] = await services.query(
        db,
        `SELECT \`${key}\` AS id, COUNT(*) AS n FROM ${quoted} GROUP BY \`${key}\` HAVING COUNT(*) > 1 LIMIT 3`,
      );
      return { rows: found as Row[], twice: repeated as { id: unknown; n: number }[] };
    });
    const [first] = twice;
    if (first) {
      return fail(
        `${key} ${first.id} is ${first.n} rows of ${params.table}${twice.length > 1 ? ` (and ${twice.length - 1} more ids)` : ''}: a record delivered again was inserted again`,
        `upsert, so a record delivered twice leaves one row: 'insert.mode' = 'upsert', 'primary.key.mode' = 'record_value', 'primary.key.fields' = '${params.key}'; npm run connector -- delete ${params.connector}, npm run mysql -- "DROP TABLE ${params.table}", then create the connector again`,
      );
    }
    if (primaryKey.join(',') !== key) {
      return fail(
        `the primary key of ${params.table} is ${primaryKey.length === 0 ? 'none' : `(${primaryKey.join(', ')})`}, not (${key}): a row per ${primaryKey[0] ?? 'record'}, where one per ${key} is wanted`,
        `upsert by the record's id: 'insert.mode' = 'upsert', 'primary.key.mode' = 'record_value', 'primary.key.fields' = '${params.key}'; npm run connector -- delete ${params.connector} (its offsets too), npm run mysql -- "DROP TABLE ${params.table}", then create the connector again`,
      );
    }

    const byId = new Map(rows.map((row) => [String(column(row, key)), row]));
    for (const value of values) {
      const id = column(value, params.key);
      const row = byId.get(String(id));
      if (!row) {
        return fail(
          `the record with ${params.key} ${id}, consumed by connector "${params.connector}", is not a row of ${params.table}`,
          `npm run connector -- status ${params.connector} shows whether its task writes; a record must become a row with primary key ${key}`,
        );
      }
      const differs = Object.entries(value).find(([field, v]) => !sameValue(v, column(row, field)));
      if (differs) {
        const [field, v] = differs;
        return fail(
          `the row of ${params.table} with ${key} ${id} holds ${field.toLowerCase()} ${JSON.stringify(column(row, field))}; its record in "${params.topic}" has ${JSON.stringify(v)}`,
          `the rows must be the records as they are: is the connector on the right topic ('topics' = '${params.topic}')?`,
        );
      }
    }
    if (values.length === 0) return notYet(`no consumed records of "${params.topic}" to compare yet`);
    return pass(
      `the newest ${values.length} records connector "${params.connector}" consumed are rows with the same values; primary key ${key}, none twice; ${columns.length} columns`,
    );
  },
};
