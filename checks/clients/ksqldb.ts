/**
 * The kit's one ksqlDB client: the REST endpoints a check, solve, reset and `npm run ksql` need (`/ksql`,
 * `/query-stream`, `/info`, `/healthcheck`, `/close-query`), typed, each call with a timeout.
 *
 * ksqlDB's answers map to the kit's outcomes: unreachable, timing out or 503 (starting: error codes 50301-50304) is an
 * environment error; a statement ksqlDB refuses (40001 and the other 4xx codes) is a KsqlStatementError carrying
 * ksqlDB's own message, which is the learner's to fix. Shapes are those of ksqlDB's REST API (its `rest` module's
 * entities: KsqlErrorMessage, SourceDescription, RunningQuery, QueryStreamArgs), as a real 8.0.7 server sends them.
 */
import { EnvironmentError, NotYetError, WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import type { Services } from './services.js';

export interface KsqlErrorBody {
  '@type'?: string;
  error_code?: number;
  message?: string;
  statementText?: string;
}

/** A statement or query ksqlDB refused (HTTP 4xx): the learner's to fix, with ksqlDB's message. */
export class KsqlStatementError extends WorkshopError {
  constructor(
    readonly errorCode: number,
    readonly ksqlMessage: string,
    readonly statement?: string,
  ) {
    super(
      `ksqlDB refused ${statement ? `"${oneLine(statement)}"` : 'the request'}: ${ksqlMessage}`,
      'fix the statement and run it again',
    );
  }
}

export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface FieldSchema {
  type: string;
  fields: { name: string; schema: FieldSchema }[] | null;
  memberSchema: FieldSchema | null;
}

export interface SourceField {
  name: string;
  schema: FieldSchema;
  /** KEY for key columns (PRIMARY KEY of a table too), absent or null for value columns; WINDOWSTART/END are absent. */
  type?: 'KEY' | 'HEADER' | null;
}

export interface SourceDescription {
  name: string;
  type: 'STREAM' | 'TABLE';
  topic: string;
  keyFormat: string;
  valueFormat: string;
  windowType: 'TUMBLING' | 'HOPPING' | 'SESSION' | null;
  fields: SourceField[];
  readQueries: { id: string; queryString?: string; state?: string }[];
  writeQueries: { id: string; queryString?: string; state?: string }[];
  statement?: string;
  partitions?: number;
  /** Streams and tables declared over this one (DESCRIBE EXTENDED): they must go before it can. */
  sourceConstraints?: string[];
  /** DESCRIBE EXTENDED: error counts of the queries reading it, e.g. `consumer-failed-messages`. */
  clusterErrorStats?: { name: string; value: number }[];
}

export interface RunningQuery {
  id: string;
  queryString: string;
  sinks: string[];
  sinkKafkaTopics: string[];
  queryType: string;
  state?: string;
  statusCount?: Record<string, number>;
}

export interface SourceSummary {
  name: string;
  type: 'STREAM' | 'TABLE';
  topic: string;
  keyFormat: string;
  valueFormat: string;
  isWindowed: boolean;
}

/** One entity of a /ksql answer: each statement gets one, with its `@type`. */
export interface KsqlEntity {
  '@type': string;
  statementText?: string;
  warnings?: { message: string }[];
  commandStatus?: { status: string; message: string; queryId?: string | null };
  streams?: SourceSummary[];
  tables?: SourceSummary[];
  queries?: RunningQuery[];
  sourceDescription?: SourceDescription;
  queryDescription?: QueryDescription;
  [key: string]: unknown;
}

export interface QueryDescription {
  id: string;
  statementText: string;
  sinks: string[];
  sources: string[];
  state?: string;
  queryErrors?: { timestamp: number; errorMessage: string; type: string }[];
}

export interface QueryResult {
  queryId?: string;
  columnNames: string[];
  columnTypes: string[];
  rows: unknown[][];
}

export interface KsqlServerInfo {
  version?: string;
  kafkaClusterId?: string;
  ksqlServiceId?: string;
  serverStatus?: string;
}

/** Properties sent with statements: `SET` lines of a file become these. */
export type StreamsProperties = Record<string, string>;

/**
 * ksqlDB's answers that describe a passing state, not a refusal: Kafka Streams not RUNNING (right after a query
 * starts or stops, or after a restart: PENDING_SHUTDOWN, REBALANCING, PENDING_ERROR…), its state store not yet
 * served, and a topic that reset has just deleted and Kafka is still deleting. Seen on a real 8.0.7 when `npm run
 * solve` follows `npm run reset` at once ("Error starting pull query: KafkaStreams is not running. State is
 * PENDING_SHUTDOWN.", 40001; "Failed to Describe Kafka Topic(s): [ratings_with_customer_data]", 50000).
 */
const passingStates: RegExp[] = [
  /KafkaStreams is not running\. State is (?!RUNNING\b)\w+/i,
  /\bnot available yet\b|\btry again later\b|may be restarting|Cannot determine which host/i,
  /marked for deletion|is being deleted|UnknownTopicOrPartition/i,
  /Failed to Describe Kafka Topic\(s\)/i,
];

/** ksqlDB is in a passing state (see passingStates): retry within the deadline; a check says "not yet". */
export class KsqlNotReady extends NotYetError {
  constructor(
    readonly ksqlMessage: string,
    statement?: string,
  ) {
    super(
      `ksqlDB is not ready for ${statement ? `"${oneLine(statement)}"` : 'the request'} yet: ${ksqlMessage}`,
      'this passes by itself within seconds; run the same command again',
    );
  }
}

/** Whether an error answer of ksqlDB's describes a passing state rather than a refusal or a failure. */
export function isPassingState(message: string): boolean {
  return passingStates.some((pattern) => pattern.test(message));
}

/** How long a statement that starts, stops or drops something may take before ksqlDB counts as not answering. */
export const statementTimeoutMs = 60_000;

export class KsqlClient {
  constructor(readonly services: Services) {}

  private get url(): string {
    return this.services.config.ksqldbUrl;
  }

  /** Turns a 4xx/5xx answer into the kit's errors. */
  private refuse(status: number, body: unknown, statement?: string): never {
    const error = (typeof body === 'object' && body !== null ? body : {}) as KsqlErrorBody;
    const code = error.error_code ?? status * 100;
    const message = error.message ?? (typeof body === 'string' ? body : `HTTP ${status}`);
    if (isPassingState(message)) throw new KsqlNotReady(message, error.statementText ?? statement);
    if (status >= 500 || code >= 50000) {
      throw new EnvironmentError(
        `ksqlDB at ${this.url} failed (${code}): ${message}`,
        'see npm run logs -- ksqldb-server, then try again',
      );
    }
    throw new KsqlStatementError(code, message, error.statementText ?? statement);
  }

  async info(): Promise<KsqlServerInfo> {
    const answer = await this.services.ksqldb<{ KsqlServerInfo?: KsqlServerInfo }>('/info');
    if (answer.status !== 200) this.refuse(answer.status, answer.body);
    return answer.body?.KsqlServerInfo ?? {};
  }

  /** ksqlDB's service id: the prefix of its internal topics and of its queries' consumer groups. */
  async serviceId(): Promise<string> {
    return (await this.info()).ksqlServiceId ?? 'default_';
  }

  async healthcheck(): Promise<{ isHealthy: boolean; details?: Record<string, { isHealthy: boolean }> }> {
    const answer = await this.services.ksqldb<{ isHealthy: boolean }>('/healthcheck');
    if (answer.status !== 200) this.refuse(answer.status, answer.body);
    return answer.body;
  }

  /**
   * Runs statements (each ending with `;`) through POST /ksql: one entity per statement. Statements that change
   * something wait for ksqlDB to run them through its command topic (starting or stopping a query takes seconds), so
   * they get a longer timeout than the reads a check makes.
   */
  async statements(sql: string, properties: StreamsProperties = {}): Promise<KsqlEntity[]> {
    const changes = !/^\s*(DESCRIBE|LIST|SHOW|EXPLAIN)\b/i.test(sql);
    const send = () =>
      this.services.ksqldb<KsqlEntity[] | KsqlErrorBody>('/ksql', {
        method: 'POST',
        body: { ksql: sql, streamsProperties: properties },
        headers: { accept: 'application/vnd.ksql.v1+json' },
        timeoutMs: changes ? Math.max(this.services.timeouts.requestMs, statementTimeoutMs) : undefined,
      });
    const notTaken = (body: unknown) => {
      const message = (body as KsqlErrorBody | undefined)?.message ?? '';
      return commandTopicBusy(body) || (Array.isArray(body) ? false : isPassingState(message));
    };
    let answer = await send();
    if (changes && notTaken(answer.body)) {
      // ksqlDB runs statements one at a time through its command topic; while an earlier one is still running (a
      // query stopping on a busy machine) a new one is refused without being run; and right after a reset, a topic
      // it needs may still be being deleted. Sent again once that has passed.
      answer = await waitFor({
        what: `ksqlDB to take "${oneLine(sql, 60)}"`,
        timeoutMs: statementTimeoutMs,
        intervalMs: 1_000,
        probe: async () => {
          const again = await send();
          return notTaken(again.body) ? new NotYet((again.body as KsqlErrorBody).message ?? 'busy') : again;
        },
      });
    }
    if (answer.status !== 200 || !Array.isArray(answer.body)) this.refuse(answer.status, answer.body, sql);
    return answer.body;
  }

  async statement(sql: string, properties: StreamsProperties = {}): Promise<KsqlEntity> {
    const [entity] = await this.statements(sql, properties);
    if (!entity) throw new EnvironmentError(`ksqlDB answered "${oneLine(sql)}" with no entity`);
    return entity;
  }

  /** DESCRIBE <name> [EXTENDED], or undefined when no such stream or table exists. */
  async describe(name: string, extended = false): Promise<SourceDescription | undefined> {
    try {
      const entity = await this.statement(`DESCRIBE ${quoteIdentifier(name)}${extended ? ' EXTENDED' : ''};`);
      return entity.sourceDescription;
    } catch (error) {
      if (error instanceof KsqlStatementError && /could not find|does not exist/i.test(error.ksqlMessage)) {
        return undefined;
      }
      throw error;
    }
  }

  /** Every stream and table but ksqlDB's own processing log. */
  async sources(): Promise<SourceSummary[]> {
    const [streams, tables] = await this.statements('LIST STREAMS; LIST TABLES;');
    return [...(streams?.streams ?? []), ...(tables?.tables ?? [])].filter((s) => s.name !== 'KSQL_PROCESSING_LOG');
  }

  async queries(): Promise<RunningQuery[]> {
    return (await this.statement('SHOW QUERIES;')).queries ?? [];
  }

  /** EXPLAIN <query id>: its state and, for a query in ERROR, ksqlDB's errors. */
  async explain(queryId: string): Promise<QueryDescription | undefined> {
    return (await this.statement(`EXPLAIN ${queryId};`)).queryDescription;
  }

  /**
   * A pull query, or a push query with LIMIT, through POST /query-stream; the answer as one JSON array (metadata,
   * then the rows). An error mid-stream arrives as an error object in place of a row.
   */
  async query(sql: string, properties: StreamsProperties = {}): Promise<QueryResult> {
    const answer = await this.services.ksqldb<unknown>('/query-stream', {
      method: 'POST',
      body: { sql, properties },
      headers: { accept: 'application/json' },
    });
    if (answer.status !== 200) this.refuse(answer.status, answer.body, sql);
    return parseQueryAnswer(answer.body, sql, (status, body) => this.refuse(status, body, sql));
  }

  async closeQuery(queryId: string): Promise<void> {
    await this.services.ksqldb('/close-query', { method: 'POST', body: { queryId } });
  }
}

/** ksqlDB's answer when a statement could not be queued behind one still running (KsqlRestException, 50000). */
function commandTopicBusy(body: unknown): boolean {
  const error = body as KsqlErrorBody | undefined;
  return (
    error?.error_code === 50000 && /could not write the statement .* into the command topic/is.test(error.message ?? '')
  );
}

/** The metadata and rows of a /query-stream answer in application/json (an array), or an error with its message. */
export function parseQueryAnswer(
  body: unknown,
  sql: string,
  refuse: (status: number, body: unknown) => never,
): QueryResult {
  // An answer as newline-delimited text (the default content type) is accepted too.
  const items: unknown[] = Array.isArray(body)
    ? body
    : typeof body === 'string'
      ? body
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown)
      : [body];
  const [meta, ...rest] = items as [Record<string, unknown> | undefined, ...unknown[]];
  if (!meta || typeof meta !== 'object' || !Array.isArray(meta.columnNames)) {
    refuse(400, meta ?? { message: `no answer to ${oneLine(sql)}` });
  }
  const rows: unknown[][] = [];
  for (const item of rest) {
    if (Array.isArray(item)) rows.push(item);
    else if (typeof item === 'object' && item !== null && 'error_code' in item) refuse(400, item);
  }
  return {
    queryId: typeof meta.queryId === 'string' ? meta.queryId : undefined,
    columnNames: meta.columnNames as string[],
    columnTypes: (meta.columnTypes as string[]) ?? [],
    rows,
  };
}

/** A source name as ksqlDB reads it: upper-case names bare, anything else quoted with back-ticks. */
export function quoteIdentifier(name: string): string {
  return /^[A-Z_][A-Z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}

/** A column type as the kit writes it: INTEGER, BIGINT, STRING (ksqlDB says STRING where SQL says VARCHAR). */
export function typeName(schema: FieldSchema): string {
  if (schema.type === 'ARRAY' && schema.memberSchema) return `ARRAY<${typeName(schema.memberSchema)}>`;
  if (schema.type === 'MAP' && schema.memberSchema) return `MAP<STRING, ${typeName(schema.memberSchema)}>`;
  return schema.type;
}

/** The consumer group of a persistent query: where its committed input offsets are. */
export function queryConsumerGroup(serviceId: string, queryId: string): string {
  return `_confluent-ksql-${serviceId}query_${queryId}`;
}
