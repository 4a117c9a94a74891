import { openDeclaredSession, rememberDeclaration } from '#checks/clients/flink-declarations.js';
import { declaredTables } from '#checks/clients/flink-look.js';
import {
  type FlinkColumn,
  type FlinkRow,
  type FlinkSqlSession,
  FlinkStatementError,
  forThisFlink,
} from '#checks/clients/flink-sql.js';
import { oneLine } from '#checks/clients/ksqldb.js';
import { Services } from '#checks/clients/services.js';
import { splitSql } from '#checks/sql-text.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode, NotYetError, TimeoutError, UsageError } from '#core/errors.js';
import { formatTable, progress, tableRow, tableRule, warn } from '#core/output.js';
import { NotYet, waitFor } from '#core/wait.js';
import { readSqlInput } from './sql-input.js';

/** Whether a statement reads rows back as they come (a query), rather than ending with its answer. */
export function isFlinkQuery(statement: string): boolean {
  return /^\s*(\(\s*)*(SELECT|WITH|VALUES)\b/i.test(statement);
}

/** `timeout` in milliseconds. */
export async function flinkCommand({
  values,
  positionals,
  usageError,
}: CommandLine<{ file?: string; timeout?: number }>): Promise<number> {
  const { text, where } = readSqlInput(
    { values, positionals, usageError },
    { what: 'statements', example: 'npm run flink -- "SHOW TABLES;"', semicolon: true },
  );
  const statements = splitSql(text, where, 'Flink');
  if (statements.length === 0) throw new UsageError(`${where} holds no statement`);

  const services = new Services(loadConfig());
  const session = await openDeclaredSession(services, { onWarning: warn });
  let told = false;
  try {
    for (const statement of statements) {
      // The gateway takes one statement without its closing semicolon; a table written for the learners' platform
      // reads this platform's Kafka.
      const adapted = forThisFlink(statement.text.replace(/;\s*$/, ''), services.config.flinkKafkaBootstrapServers);
      const sql = adapted.text;
      if (adapted.changed && !told) {
        told = true;
        progress(`for this platform: ${adapted.changed}; the file stays as written`);
      }
      if (statements.length > 1) process.stdout.write(`\n> ${oneLine(sql, 120)}\n`);
      try {
        if (isFlinkQuery(sql)) {
          await topicsWritten(services, sql, values.timeout);
          await runQuery(session, sql, values.timeout);
        } else {
          const { columns, rows } = await session.run(sql);
          printAnswer(columns, rows);
          const kept = await rememberDeclaration(session, sql);
          if (kept) progress(kept);
        }
      } catch (error) {
        if (error instanceof FlinkStatementError && values.file) {
          throw new FlinkStatementError(`${values.file}, line ${statement.line}: ${error.flinkMessage}`, sql);
        }
        throw error;
      }
    }
  } finally {
    await session.close();
  }
  return ExitCode.ok;
}

/**
 * A query of a table whose topic nothing has written yet fails in Flink ("Failed to fetch next result": its source
 * finds no partitions). A job's first window, say, comes a minute after it starts: wait for the topic, saying so.
 */
async function topicsWritten(services: Services, sql: string, timeoutMs = 120_000): Promise<void> {
  const named = declaredTables().filter((t) => new RegExp(`(^|\\W)${t.name}(\\W|$)`).test(sql));
  const topics = named.map((t) => t.options.topic).filter((t): t is string => t !== undefined);
  if (topics.length === 0) return;
  const missing = async () => {
    const listed = await services.withKafkaAdmin((admin) => admin.listTopics());
    return topics.filter((t) => !listed.includes(t));
  };
  const first = await missing();
  if (first.length === 0) return;
  progress(
    `topic ${first.join(', ')} is not written yet: waiting for its first record (the job that writes it may need a minute)`,
  );
  try {
    await waitFor({
      what: `topic ${first.join(', ')} to be written`,
      timeoutMs,
      intervalMs: 1_000,
      probe: async () => {
        const left = await missing();
        return left.length === 0 ? true : new NotYet(`${left.join(', ')} not written`);
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new NotYetError(
      `topic ${first.join(', ')} is still not written after ${Math.round(timeoutMs / 1000)} s`,
      'is the job that writes it running? npm run flink -- "SHOW JOBS;" lists the jobs and their states',
    );
  }
}

/** How Flink's SQL client marks a changelog row: insert, update before and after, delete. */
const kindMarks: Record<FlinkRow['kind'], string> = {
  INSERT: '+I',
  UPDATE_BEFORE: '-U',
  UPDATE_AFTER: '+U',
  DELETE: '-D',
};

const separator = ' | ';
const ruleJoiner = '-+-';
const streamedWidth = 12;

/**
 * A query's rows as they arrive, each with its changelog mark (an updating result shows its retractions), until
 * the query ends (LIMIT, a bounded source), Ctrl-C or the timeout; then the query's job is stopped.
 */
async function runQuery(session: FlinkSqlSession, sql: string, timeoutMs?: number): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const timer = timeoutMs ? setTimeout(stop, timeoutMs) : undefined;
  const operation = await session.submit(sql);
  // Over a topic a query never ends by itself, LIMIT or not (Flink's job keeps reading): the kit ends it at its LIMIT.
  const limit = Number(/\bLIMIT\s+(\d+)\s*$/i.exec(sql)?.[1] ?? Number.POSITIVE_INFINITY);
  let widths: number[] | undefined;
  let rows = 0;
  let ended = false;
  try {
    for await (const page of session.pages(operation, sql, { signal: controller.signal })) {
      const columns = page.results?.columns ?? [];
      if (!widths && columns.length > 0) {
        widths = [2, ...columns.map((c) => Math.max(c.name.length, streamedWidth))];
        process.stdout.write(
          `${tableRow(['op', ...columns.map((c) => c.name)], widths, separator, { wrap: false })}\n`,
        );
        process.stdout.write(`${tableRule(widths, ruleJoiner)}\n`);
      }
      for (const row of page.results?.data ?? []) {
        if (rows >= limit) break;
        rows++;
        const cells = [kindMarks[row.kind] ?? row.kind, ...row.fields.map(cell)];
        process.stdout.write(
          `${tableRow(cells, widths ?? cells.map(() => streamedWidth), separator, { wrap: false })}\n`,
        );
      }
      if (page.resultType === 'EOS' || rows >= limit) {
        ended = page.resultType === 'EOS';
        if (rows >= limit) controller.abort();
        if (ended || rows >= limit) break;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    if (timer) clearTimeout(timer);
    // Stopped before its end: its job must not run on without a reader.
    if (!ended) await session.closeOperation(operation);
  }
  process.stdout.write(`(${rows} row${rows === 1 ? '' : 's'}${ended || rows >= limit ? '' : ', stopped'})\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A statement's answer: "OK" alone for a DDL, the job of an INSERT, or a table (SHOW, DESCRIBE, EXPLAIN). */
function printAnswer(columns: FlinkColumn[], rows: FlinkRow[]): void {
  const names = columns.map((c) => c.name);
  if (names.length === 1 && names[0] === 'result' && rows.length === 1) {
    process.stdout.write(`${cell(rows[0]?.fields[0])}\n`);
    return;
  }
  if (names.length === 1 && names[0] === 'job id' && rows.length === 1) {
    const job = cell(rows[0]?.fields[0]);
    process.stdout.write(
      `job ${job} submitted: it runs on the Flink cluster until stopped (STOP JOB '${job}'); see SHOW JOBS\n`,
    );
    return;
  }
  process.stdout.write(
    `${formatTable(
      rows.map((r) => r.fields.map(cell)),
      { header: names, separator, rule: ruleJoiner, empty: '(none)' },
    )}\n`,
  );
}
