/**
 * What the Flink checks look at: the learner's tables as Flink states them (the kit keeps each declaration as Flink's
 * SHOW CREATE TABLE answered it, see flink-declarations.ts), and the jobs on the cluster through the JobManager's REST
 * API (Flink 2.2.0: GET /jobs/overview → {jobs: [{jid, name, state, start-time, end-time}]}, GET /jobs/{id} →
 * {vertices: [{name}]}, GET /jobs/{id}/exceptions → {exceptionHistory: {entries: [{exceptionName, stacktrace,
 * concurrentExceptions}]}}).
 */
import { readDeclarations } from './flink-declarations.js';
import type { Services } from './services.js';

export interface FlinkColumn {
  name: string;
  type: string;
  /** A computed column (`AS expr`) or a metadata column (`METADATA FROM …`): not read from the record's fields. */
  derived: boolean;
}

export interface FlinkTable {
  name: string;
  columns: FlinkColumn[];
  watermark?: { column: string; expression: string };
  primaryKey: string[];
  options: Record<string, string>;
  ddl: string;
}

const unquote = (name: string) => name.replace(/^`|`$/g, '').replaceAll('``', '`');

/** A table from Flink's own statement of it (SHOW CREATE TABLE's layout: one column per line, options last). */
export function parseFlinkTable(ddl: string): FlinkTable | undefined {
  const head = /^CREATE\s+(?:TEMPORARY\s+)?TABLE\s+((?:`(?:[^`]|``)+`\.)*`((?:[^`]|``)+)`|\S+)\s*\(/i.exec(ddl);
  if (!head) return undefined;
  const name = unquote(head[2] ?? (head[1] as string).split('.').pop() ?? '');
  const columns: FlinkColumn[] = [];
  let watermark: FlinkTable['watermark'];
  let primaryKey: string[] = [];
  const withAt = ddl.search(/\n\)\s*\nWITH\s*\(/i);
  const body = ddl.slice(head[0].length, withAt < 0 ? undefined : withAt);
  for (const raw of body.split('\n')) {
    const line = raw.trim().replace(/,$/, '');
    if (line === '') continue;
    const mark = /^WATERMARK FOR `((?:[^`]|``)+)` AS (.+)$/i.exec(line);
    if (mark) {
      watermark = { column: unquote(mark[1] as string), expression: mark[2] as string };
      continue;
    }
    const key = /PRIMARY KEY \(([^)]*)\)/i.exec(line);
    if (key) {
      primaryKey = (key[1] as string).split(',').map((k) => unquote(k.trim()));
      continue;
    }
    const column = /^`((?:[^`]|``)+)` (.+)$/.exec(line);
    if (column) {
      const rest = column[2] as string;
      columns.push({
        name: unquote(column[1] as string),
        type: rest,
        derived: /^AS\s/i.test(rest) || /\bMETADATA\b/i.test(rest),
      });
    }
  }
  const options: Record<string, string> = {};
  const withPart = withAt < 0 ? '' : ddl.slice(withAt);
  for (const option of withPart.matchAll(/'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g)) {
    options[(option[1] as string).replaceAll("''", "'")] = (option[2] as string).replaceAll("''", "'");
  }
  return { name, columns, watermark, primaryKey, options, ddl };
}

/** The learner's tables as the kit keeps them for every Flink session. */
export function declaredTables(file?: string): FlinkTable[] {
  return readDeclarations(file)
    .objects.filter((o) => o.kind === 'TABLE')
    .flatMap((o) => {
      const table = parseFlinkTable(o.ddl);
      return table ? [table] : [];
    });
}

export interface FlinkJob {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
  'end-time': number;
}

export async function flinkJobs(services: Services): Promise<FlinkJob[]> {
  const answer = await services.flink<{ jobs?: FlinkJob[] }>('/jobs/overview');
  return answer.body?.jobs ?? [];
}

/** The name Flink gives the job of an `INSERT INTO <table>` in the default catalog and database. */
export function insertJobName(table: string): string {
  return `insert-into_default_catalog.default_database.${table}`;
}

/**
 * The jobs that write a table: by the name Flink gives an INSERT's job, or (a job named otherwise, with
 * pipeline.name) by a vertex that ends in the table's writer ("poor_ratings[7]: Writer"). Newest first.
 */
export async function jobsWriting(services: Services, table: string): Promise<FlinkJob[]> {
  const jobs = (await flinkJobs(services)).sort((a, b) => b['start-time'] - a['start-time']);
  const writer = new RegExp(`(^|-> )${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[\\d+\\]: Writer`);
  const writing: FlinkJob[] = [];
  for (const job of jobs) {
    if (job.name === insertJobName(table)) {
      writing.push(job);
      continue;
    }
    if (job.name.startsWith('insert-into_') || job.state !== 'RUNNING') continue;
    const detail = await services.flink<{ vertices?: { name: string }[] }>(`/jobs/${job.jid}`);
    if (detail.body?.vertices?.some((v) => writer.test(v.name))) writing.push(job);
  }
  return writing;
}

/** Why a job failed, in Flink's words: the deepest cause of its newest exception that says something. */
export async function jobFailure(services: Services, jid: string): Promise<string | undefined> {
  const answer = await services.flink<{
    exceptionHistory?: {
      entries?: { stacktrace?: string; concurrentExceptions?: { stacktrace?: string; taskName?: string }[] }[];
    };
  }>(`/jobs/${jid}/exceptions`);
  const entry = answer.body?.exceptionHistory?.entries?.[0];
  if (!entry) return undefined;
  const task = entry.concurrentExceptions?.[0];
  const trace = task?.stacktrace ?? entry.stacktrace ?? '';
  const causes = trace
    .split('\n')
    .map((line) => /^(?:Caused by: )?[a-z][\w$.]*(?:Exception|Error): (.+)$/.exec(line.trim())?.[1])
    .filter((message): message is string => message !== undefined && message.trim() !== '');
  // The outermost says where (deserializing a record), the next says what; the last is often a parser's detail.
  const wrappers =
    /^(Failed to deserialize consumer record|Recovery is suppressed|Global failure triggered by OperatorCoordinator|Caught exception while|One or more fetchers have encountered exception|One or more Kafka Producer send requests have encountered exception|Failed to send data to Kafka)/;
  const cause = causes.find((c) => !wrappers.test(c)) ?? causes[0];
  const where = task?.taskName ? ` (in ${task.taskName.replace(/ \(\d+\/\d+\).*$/, '')})` : '';
  return cause ? `${cause}${where}` : undefined;
}
