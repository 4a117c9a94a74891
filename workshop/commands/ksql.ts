import {
  KsqlClient,
  type KsqlEntity,
  KsqlStatementError,
  oneLine,
  parseQueryAnswer,
  type SourceDescription,
  typeName,
} from '#checks/clients/ksqldb.js';
import { describeNetworkError, Services, ServiceUnavailable } from '#checks/clients/services.js';
import { bareCommentLines, isQuery, type KsqlStatement, splitStatements } from '#checks/ksql-file.js';
import { adaptConnectorConfig, connectorAdaptations, describeAdaptations } from '#checks/resources/connector.js';
import { connectorStatement, parseConnectorStatement } from '#checks/resources/ksql-connector.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { EnvironmentError, ExitCode, UsageError } from '#core/errors.js';
import { formatTable, tableRow, tableRule, warn } from '#core/output.js';
import { readSqlInput } from './sql-input.js';

/** `timeout` in milliseconds. */
export async function ksqlCommand({
  values,
  positionals,
  usageError,
}: CommandLine<{ file?: string; timeout?: number }>): Promise<number> {
  const timeoutMs = values.timeout;
  const { text, where } = readSqlInput(
    { values, positionals, usageError },
    { what: 'statements', example: 'npm run ksql -- "SHOW STREAMS;"', semicolon: true },
  );
  for (const line of bareCommentLines(text)) {
    warn(`${where}, line ${line}: a bare "--" makes ksqlDB skip the next line too; write "-- text" instead`);
  }
  const statements = splitStatements(text, where);
  if (statements.length === 0) throw new UsageError(`${where} holds no statement`);

  const services = new Services(loadConfig());
  const client = new KsqlClient(services);
  for (const statement of statements) {
    if (statements.length > 1) process.stdout.write(`\n> ${oneLine(statement.text, 120)}\n`);
    try {
      if (isQuery(statement.text)) await runQuery(services, statement, timeoutMs);
      else printEntity(await client.statement(forThisPlatform(statement.text, services), statement.properties));
    } catch (error) {
      if (error instanceof KsqlStatementError) {
        const location = values.file ? `${values.file}, line ${statement.line}: ` : '';
        throw new KsqlStatementError(error.errorCode, `${location}${error.ksqlMessage}`, statement.text);
      }
      throw error;
    }
  }
  return ExitCode.ok;
}

/**
 * A `CREATE … CONNECTOR` written for the learners' platform (mysql:3306, schema-registry:8081, as Kafka Connect sees
 * them there) with those addresses made this platform's, said once, as `npm run connector -- apply` does with a
 * file; any other statement, and any value that is not the compose platform's own, as typed.
 */
function forThisPlatform(text: string, services: Services): string {
  const connector = parseConnectorStatement(text);
  if (!connector) return text;
  const adaptations = connectorAdaptations(connector.config, services.config);
  if (adaptations.length === 0) return text;
  process.stderr.write(`connector "${connector.name}":${describeAdaptations(adaptations)}\n`);
  return connectorStatement({ ...connector, config: adaptConnectorConfig(connector.config, services.config) });
}

/** A query through /query-stream, printed row by row as it arrives, until LIMIT, the end of a pull query or Ctrl-C. */
async function runQuery(services: Services, statement: KsqlStatement, timeoutMs?: number): Promise<void> {
  services.requirePresent('ksqlDB');
  const url = services.config.ksqldbUrl;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const timer = timeoutMs ? setTimeout(stop, timeoutMs) : undefined;
  // The answer must start within the request timeout; a push query then streams for as long as it runs.
  const start = setTimeout(
    () => controller.abort(new Error('no answer before the timeout')),
    services.timeouts.requestMs,
  );
  let response: Response;
  try {
    response = await fetch(`${url}/query-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/vnd.ksqlapi.delimited.v1' },
      body: JSON.stringify({ sql: statement.text, properties: statement.properties }),
      signal: controller.signal,
    });
  } catch (error) {
    throw new ServiceUnavailable('ksqlDB', url, describeNetworkError(error));
  } finally {
    clearTimeout(start);
  }
  try {
    if (response.status === 503) throw new EnvironmentError(`ksqlDB at ${url} is still starting (HTTP 503)`);
    if (response.status !== 200) {
      const body = await response.text();
      parseQueryAnswer(safeJson(body), statement.text, (status, error) =>
        refuse(status || response.status, error, statement),
      );
    }
    const printer = new RowPrinter();
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== '') printer.line(safeJson(line), statement);
          newline = buffer.indexOf('\n');
        }
      }
      if (buffer.trim() !== '') printer.line(safeJson(buffer.trim()), statement);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    printer.end(controller.signal.aborted);
  } finally {
    process.off('SIGINT', stop);
    if (timer) clearTimeout(timer);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function refuse(status: number, body: unknown, statement: KsqlStatement): never {
  const error = (typeof body === 'object' && body !== null ? body : { message: String(body) }) as {
    error_code?: number;
    message?: string;
  };
  if (status >= 500) throw new EnvironmentError(`ksqlDB failed (${error.error_code ?? status}): ${error.message}`);
  throw new KsqlStatementError(error.error_code ?? status * 100, error.message ?? `HTTP ${status}`, statement.text);
}

/** ksqlDB's tables: columns joined by " | ", a rule of dashes joined by "-+-" under the header. */
const separator = ' | ';
const ruleJoiner = '-+-';
/** A query's rows are printed as they arrive, before the widest is known: each column is at least this wide. */
const streamedWidth = 12;

/** Rows of a query as they arrive: a header from the metadata, then one line a row. */
class RowPrinter {
  private widths: number[] = [];
  private rows = 0;

  line(item: unknown, statement: KsqlStatement): void {
    if (Array.isArray(item)) {
      this.rows++;
      process.stdout.write(`${this.format(item.map(cell))}\n`);
      return;
    }
    if (typeof item === 'object' && item !== null && 'columnNames' in item) {
      const names = (item as { columnNames: string[] }).columnNames;
      this.widths = names.map((name) => Math.max(name.length, streamedWidth));
      process.stdout.write(`${this.format(names)}\n${tableRule(this.widths, ruleJoiner)}\n`);
      return;
    }
    if (typeof item === 'object' && item !== null && 'error_code' in item) refuse(400, item, statement);
  }

  end(stopped: boolean): void {
    process.stdout.write(`(${this.rows} row${this.rows === 1 ? '' : 's'}${stopped ? ', stopped' : ''})\n`);
  }

  private format(cells: string[]): string {
    return tableRow(
      cells,
      cells.map((_, i) => this.widths[i] ?? streamedWidth),
      separator,
      { wrap: false },
    );
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function table(header: string[], rows: string[][]): string {
  return formatTable(rows, { header, separator, rule: ruleJoiner, empty: '(none)' });
}

function describeSource(source: SourceDescription): string {
  const columns = source.fields.map((f) => [
    f.name,
    `${typeName(f.schema)}${f.type === 'KEY' ? (source.type === 'TABLE' ? ' (primary key)' : ' (key)') : ''}`,
  ]);
  return [
    `${source.type} ${source.name}: topic ${source.topic}, key format ${source.keyFormat}, value format ${source.valueFormat}${source.windowType ? `, ${source.windowType} window` : ''}`,
    table(['column', 'type'], columns),
    ...(source.writeQueries.length > 0 ? [`written by ${source.writeQueries.map((q) => q.id).join(', ')}`] : []),
    ...(source.readQueries.length > 0 ? [`read by ${source.readQueries.map((q) => q.id).join(', ')}`] : []),
  ].join('\n');
}

function printEntity(entity: KsqlEntity): void {
  for (const warning of entity.warnings ?? []) warn(warning.message);
  let text: string;
  if (entity.commandStatus) {
    text = entity.commandStatus.message;
  } else if (entity.streams || entity.tables) {
    const sources = entity.streams ?? entity.tables ?? [];
    text = table(
      ['name', 'topic', 'key format', 'value format', 'windowed'],
      sources.map((s) => [s.name, s.topic, s.keyFormat, s.valueFormat, String(s.isWindowed)]),
    );
  } else if (entity.queries) {
    text = table(
      ['query id', 'state', 'writes', 'statement'],
      entity.queries.map((q) => [q.id, q.state ?? '', q.sinks.join(', '), oneLine(q.queryString, 70)]),
    );
  } else if (entity.sourceDescription) {
    text = describeSource(entity.sourceDescription);
  } else if (Array.isArray(entity.topics)) {
    text = table(
      ['topic', 'partitions'],
      (entity.topics as { name: string; replicaInfo?: number[] }[]).map((t) => [
        t.name,
        String(t.replicaInfo?.length ?? ''),
      ]),
    );
  } else {
    const { '@type': _type, statementText: _text, warnings: _warnings, ...rest } = entity;
    text = JSON.stringify(rest, null, 2);
  }
  process.stdout.write(`${text}\n`);
}
