/**
 * ksqlDB's REST answers, in the shapes a real server sends them, for the stand-in that tests use where no ksqlDB is
 * installed. Recorded from ksqlDB 8.0.7 (built from Confluent's sources, run by the local stack) on the course's own
 * objects, 2026-12-01: `DESCRIBE POOR_RATINGS EXTENDED`, `EXPLAIN CSAS_POOR_RATINGS_3`, `SHOW QUERIES`, `LIST
 * STREAMS`, a pull query on RATINGS_BY_CLUB_STATUS_1MIN, and the error a missing source gives. Field names and
 * nesting are the server's; the values are parameters.
 */

export interface FieldSpec {
  name: string;
  type: string;
  key?: boolean;
}

export interface SourceSpec {
  name: string;
  type: 'STREAM' | 'TABLE';
  topic: string;
  keyFormat: string;
  valueFormat: string;
  fields: FieldSpec[];
  windowType?: 'TUMBLING' | 'HOPPING' | 'SESSION';
  /** The query writing it: id, its statement, state, and its committed offsets per input topic. */
  writer?: {
    id: string;
    queryString: string;
    state: string;
    committed: Record<string, number[]>;
    overriddenProperties?: Record<string, string>;
    queryErrors?: { timestamp: number; errorMessage: string; type: string }[];
  };
  /** Query ids of the queries reading it. */
  readers?: string[];
  statement?: string;
}

const schema = (type: string) => ({ type, fields: null, memberSchema: null });

export function runningQuery(source: SourceSpec) {
  const writer = source.writer;
  if (!writer) throw new Error(`${source.name} has no writer`);
  return {
    queryString: writer.queryString,
    sinks: [source.name],
    sinkKafkaTopics: [source.topic],
    id: writer.id,
    statusCount: { [writer.state]: 1 },
    queryType: 'PERSISTENT',
    state: writer.state,
  };
}

/** DESCRIBE <name> EXTENDED, as the `sourceDescription` entity. */
export function sourceDescription(source: SourceSpec, all: SourceSpec[] = []) {
  return {
    '@type': 'sourceDescription',
    statementText: `DESCRIBE ${source.name} EXTENDED;`,
    sourceDescription: {
      name: source.name,
      windowType: source.windowType ?? null,
      readQueries: all
        .filter((s) => s.writer && (source.readers ?? []).includes(s.writer.id))
        .map((s) => runningQuery(s)),
      writeQueries: source.writer ? [runningQuery(source)] : [],
      fields: source.fields.map((f) => ({ name: f.name, schema: schema(f.type), ...(f.key ? { type: 'KEY' } : {}) })),
      type: source.type,
      timestamp: '',
      statistics: '',
      errorStats: '',
      extended: true,
      keyFormat: source.keyFormat,
      valueFormat: source.valueFormat,
      topic: source.topic,
      partitions: 1,
      replication: 1,
      statement: source.statement ?? source.writer?.queryString ?? `CREATE ${source.type} ${source.name} (…);`,
      queryOffsetSummaries: source.writer
        ? [
            {
              groupId: `_confluent-ksql-default_query_${source.writer.id}`,
              topicSummaries: Object.entries(source.writer.committed).map(([topic, offsets]) => ({
                kafkaTopic: topic,
                offsets: offsets.map((consumerOffset, partition) => ({
                  partition,
                  logStartOffset: 0,
                  logEndOffset: consumerOffset,
                  consumerOffset,
                })),
              })),
            },
          ]
        : [],
      sourceConstraints: [],
      clusterStatistics: [],
      clusterErrorStats: [],
    },
    warnings: [],
  };
}

/** EXPLAIN <query id>, as the `queryDescription` entity. */
export function queryDescription(source: SourceSpec) {
  const writer = source.writer;
  if (!writer) throw new Error(`${source.name} has no writer`);
  return {
    '@type': 'queryDescription',
    statementText: `EXPLAIN ${writer.id};`,
    queryDescription: {
      id: writer.id,
      statementText: writer.queryString,
      windowType: source.windowType ?? null,
      sources: Object.keys(writer.committed),
      sinks: [source.name],
      overriddenProperties: writer.overriddenProperties ?? { 'auto.offset.reset': 'earliest' },
      queryType: 'PERSISTENT',
      queryErrors: writer.queryErrors ?? [],
      consumerGroupId: `_confluent-ksql-default_query_${writer.id}`,
      state: writer.state,
    },
    warnings: [],
  };
}

export function listSources(kind: 'STREAM' | 'TABLE', sources: SourceSpec[]) {
  const key = kind === 'STREAM' ? 'streams' : 'tables';
  return {
    '@type': key,
    statementText: `LIST ${key.toUpperCase()};`,
    [key]: sources
      .filter((s) => s.type === kind)
      .map((s) => ({
        type: s.type,
        name: s.name,
        topic: s.topic,
        keyFormat: s.keyFormat,
        valueFormat: s.valueFormat,
        isWindowed: s.windowType !== undefined,
      })),
    warnings: [],
  };
}

export function showQueries(sources: SourceSpec[]) {
  return {
    '@type': 'queries',
    statementText: 'SHOW QUERIES;',
    queries: sources.filter((s) => s.writer).map((s) => runningQuery(s)),
    warnings: [],
  };
}

/** A statement ksqlDB refuses: HTTP 400 with this body. */
export function statementError(statementText: string, message: string) {
  return { '@type': 'statement_error', error_code: 40001, message, statementText, entities: [] };
}

/** DESCRIBE of a name that does not exist (the real server's message). */
export const notFound = (name: string) =>
  statementError(`DESCRIBE ${name} EXTENDED;`, `Could not find STREAM/TABLE '${name}' in the Metastore`);

/** A CREATE, DROP or TERMINATE that ran. */
export function commandStatus(statementText: string, message: string) {
  return {
    '@type': 'currentStatus',
    statementText,
    commandId: 'stand-in',
    commandStatus: { status: 'SUCCESS', message, queryId: null },
    commandSequenceNumber: 1,
    warnings: [],
  };
}

/** A pull query's answer with `Accept: application/json`: the metadata, then one array per row. */
export function pullAnswer(columnNames: string[], columnTypes: string[], rows: unknown[][]) {
  return [{ queryId: `query_${Date.now()}`, columnNames, columnTypes }, ...rows];
}
