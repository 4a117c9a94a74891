/**
 * Flink SQL through the SQL Gateway's REST API (v3): a session, statements in it, their results page by page.
 * Shapes as Flink 2.2.0's gateway answers (flink-sql-gateway's rest/message classes, seen on the local stack):
 *   POST /v3/sessions {sessionName}                       → {sessionHandle}
 *   POST /v3/sessions/{s}/statements {statement}          → {operationHandle}
 *   GET  /v3/sessions/{s}/operations/{o}/result/{token}?rowFormat=JSON
 *        → {resultType: NOT_READY | PAYLOAD | EOS, isQueryResult, jobID, resultKind,
 *           results: {columns: [{name, logicalType}], data: [{kind, fields}]}, nextResultUri}
 *   DELETE /v3/sessions/{s}/operations/{o}/close           (a streaming query stops)
 *   DELETE /v3/sessions/{s}
 * A statement that fails answers its result request with HTTP 500 and {errors: [text, Java stack trace]}.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { oneLine } from './ksqldb.js';
import type { Services } from './services.js';

export interface FlinkColumn {
  name: string;
  logicalType: { type: string; nullable?: boolean; length?: number; precision?: number };
}

/** A changelog row: INSERT, or the UPDATE_BEFORE/UPDATE_AFTER/DELETE of an updating result. */
export interface FlinkRow {
  kind: 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
  fields: unknown[];
}

export interface FlinkResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  isQueryResult?: boolean;
  jobID?: string;
  resultKind?: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  results?: { columns: FlinkColumn[]; data: FlinkRow[] };
  nextResultUri?: string;
}

/** Flink refused a statement: the learner's to fix. */
export class FlinkStatementError extends WorkshopError {
  constructor(
    readonly flinkMessage: string,
    readonly statement?: string,
  ) {
    super(
      `Flink refused ${statement ? `"${oneLine(statement)}"` : 'the statement'}: ${flinkMessage}`,
      'fix the statement and run it again',
    );
  }
}

/** The gateway's own wrappers around the cause: never what a learner needs to read. */
const wrapperClasses =
  /^org\.apache\.flink\.(table\.gateway\.(api\.utils\.SqlGatewayException|service\.utils\.SqlExecutionException)|runtime\.rest\.handler\.RestHandlerException)/;
/** Causes that come from the statement: the SQL parser, the validator, the planner, the table API. */
const statementClasses = /^(org\.apache\.flink\.table\.|org\.apache\.flink\.sql\.parser\.|org\.apache\.calcite\.)/;

/**
 * What went wrong, from the gateway's errors (a message and a Java stack trace): the first cause below the
 * gateway's wrappers, without its class name, and whether it is the statement's fault. Whatever stopped the gateway
 * from executing a statement ("Failed to execute the operation …": a bad option, a missing property) is; a session
 * the gateway no longer has is not.
 */
export function flinkCause(errors: unknown): { message: string; fromStatement: boolean } {
  const texts = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  const causes: { className: string; message: string }[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const match = /^(?:Caused by: )?([a-z][\w$]*(?:\.[\w$]+)+(?:Exception|Error)):\s?(.*)$/.exec(line.trim());
      if (match) causes.push({ className: match[1] as string, message: (match[2] as string).trim() });
    }
  }
  const executing = causes.findIndex((c) => c.message.startsWith('Failed to execute the operation'));
  // The planner wraps what it found wrong ("Error while applying rule …"): the cause under it says it.
  const cause = causes.find(
    (c, i) =>
      i > executing &&
      !wrapperClasses.test(c.className) &&
      c.message !== '' &&
      !c.message.startsWith('Error while applying rule'),
  );
  if (!cause) {
    // Only the gateway's own exceptions: the deepest says what happened ("Session '…' does not exist.").
    const deepest = causes.filter((c) => c.message !== '').pop();
    return { message: deepest?.message ?? texts[0] ?? 'no message', fromStatement: false };
  }
  return { message: cause.message, fromStatement: executing >= 0 || statementClasses.test(cause.className) };
}

/** One gateway session: what is declared in it (tables, views, SET) lives as long as it does. */
export class FlinkSqlSession {
  private constructor(
    private readonly services: Services,
    readonly handle: string,
  ) {}

  static async open(services: Services, name = 'workshop-kit'): Promise<FlinkSqlSession> {
    const answer = await services.flinkSqlGateway<{ sessionHandle?: string; errors?: unknown }>('/v3/sessions', {
      method: 'POST',
      body: { sessionName: name },
    });
    if (answer.status !== 200 || !answer.body?.sessionHandle) {
      throw new EnvironmentError(
        `Flink's SQL Gateway at ${services.config.flinkSqlGatewayUrl} did not open a session (HTTP ${answer.status}: ${flinkCause(answer.body?.errors).message})`,
        'see npm run status; the gateway starts after the JobManager',
      );
    }
    return new FlinkSqlSession(services, answer.body.sessionHandle);
  }

  /** Submits a statement; its result is read with `pages`. */
  async submit(statement: string): Promise<string> {
    const answer = await this.services.flinkSqlGateway<{ operationHandle?: string; errors?: unknown }>(
      `/v3/sessions/${this.handle}/statements`,
      { method: 'POST', body: { statement } },
    );
    if (answer.status === 200 && answer.body?.operationHandle) return answer.body.operationHandle;
    throw this.failure(answer.body?.errors, statement, answer.status);
  }

  /**
   * The result of an operation, page by page, following nextResultUri until EOS; a page that is not ready yet is
   * asked again after `intervalMs`. Ends early when `signal` aborts.
   */
  async *pages(
    operation: string,
    statement: string,
    options: { signal?: AbortSignal; intervalMs?: number } = {},
  ): AsyncGenerator<FlinkResultPage> {
    let uri: string | undefined = `/v3/sessions/${this.handle}/operations/${operation}/result/0?rowFormat=JSON`;
    while (uri && !options.signal?.aborted) {
      const answer: { status: number; body: FlinkResultPage & { errors?: unknown } } =
        await this.services.flinkSqlGateway(uri);
      if (answer.status !== 200) throw this.failure(answer.body?.errors, statement, answer.status);
      const page = answer.body;
      if (page.resultType === 'NOT_READY' || (page.resultType === 'PAYLOAD' && !page.results?.data.length)) {
        // Nothing to show yet: the same or the next token, after a pause.
        if (page.resultType === 'PAYLOAD') yield page;
        await pause(options.intervalMs ?? 200, options.signal);
      } else {
        yield page;
      }
      uri = page.resultType === 'EOS' ? undefined : (page.nextResultUri ?? uri);
    }
  }

  /**
   * Runs a statement that ends by itself (DDL, SET, SHOW, DESCRIBE, an INSERT that returns its job id) and returns
   * its whole result. A streaming query never ends: use `pages` for those.
   */
  async run(
    statement: string,
    timeoutMs = 60_000,
  ): Promise<{ columns: FlinkColumn[]; rows: FlinkRow[]; jobId?: string }> {
    const operation = await this.submit(statement);
    const signal = AbortSignal.timeout(timeoutMs);
    const rows: FlinkRow[] = [];
    let columns: FlinkColumn[] = [];
    let jobId: string | undefined;
    for await (const page of this.pages(operation, statement, { signal })) {
      columns = page.results?.columns ?? columns;
      rows.push(...(page.results?.data ?? []));
      jobId = page.jobID ?? jobId;
      if (page.resultType === 'EOS') return { columns, rows, jobId };
    }
    await this.closeOperation(operation);
    throw new EnvironmentError(
      `Flink gave no complete answer to "${oneLine(statement)}" within ${Math.round(timeoutMs / 1000)} s`,
      'see npm run status, then run it again',
    );
  }

  /** Stops an operation (a streaming query's job is cancelled with it). */
  async closeOperation(operation: string): Promise<void> {
    await this.services
      .flinkSqlGateway(`/v3/sessions/${this.handle}/operations/${operation}/close`, { method: 'DELETE' })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.services.flinkSqlGateway(`/v3/sessions/${this.handle}`, { method: 'DELETE' }).catch(() => undefined);
  }

  private failure(errors: unknown, statement: string, status: number): WorkshopError {
    const cause = flinkCause(errors);
    if (cause.fromStatement) return new FlinkStatementError(cause.message, statement);
    return new EnvironmentError(
      `Flink's SQL Gateway failed on "${oneLine(statement)}" (HTTP ${status}): ${cause.message}`,
      'see npm run status and npm run logs flink-sql-gateway',
    );
  }
}

/** The interval between two polls of a result, cut short when `signal` aborts. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

/** The learners' platform, where the guides' statements are written for: Flink's jobs reach Kafka as kafka:29092. */
const learnersKafka = 'kafka:29092';

/**
 * A statement written for the learners' platform with Kafka's address made this platform's ('properties.bootstrap
 * .servers' = 'kafka:29092' → where Flink's jobs reach Kafka here), and what changed, for the learner to be told.
 */
export function forThisFlink(statement: string, kafkaForFlink: string): { text: string; changed?: string } {
  if (kafkaForFlink === learnersKafka) return { text: statement };
  const pattern = new RegExp(`('properties\\.bootstrap\\.servers'\\s*=\\s*')${learnersKafka}(')`, 'g');
  if (!pattern.test(statement)) return { text: statement };
  return {
    text: statement.replace(pattern, `$1${kafkaForFlink}$2`),
    changed: `properties.bootstrap.servers ${learnersKafka} → ${kafkaForFlink} (where Flink reaches Kafka on this platform)`,
  };
}
