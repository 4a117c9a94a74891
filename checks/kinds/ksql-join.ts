/**
 * A ksqlDB stream-table join enriches right, judged on the learner's own data: among the newest records of the
 * stream the query has processed, each whose join column names a row the table held at that time (the join is
 * time-aligned) is in the output, carrying the fields that row held (or a later version of it: a customer may have
 * changed since); records that find no row are left out; and no output record carries another row's fields.
 */
import { readWholeTopic } from '#checks/clients/kafka-read.js';
import {
  column,
  missingMessage,
  newestProcessingError,
  parseJson,
  processedByWriter,
  recordId,
  recordsSince,
} from '#checks/clients/ksql-look.js';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import type { Services } from '#checks/clients/services.js';
import { type ExpectationKind, fail, notYet, type Params, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface KsqlJoin {
  stream: string;
  table: string;
  output: string;
  id: string;
  /** The stream's column holding the table's key. */
  on: string;
  /** Output columns and how each is made from the table's row: "{first_name} {last_name}". */
  fields: Record<string, string>;
  minimum: number;
  sample: number;
}

/** A row's versions in the table's topic, oldest first: when each arrived, and the row (null once deleted). */
export type Versions = Map<string, { time: number; row: unknown }[]>;

/** Grace for a row that reached the table in the same instant as a record of the stream. */
const alignmentGraceMs = 1_000;

/** A join's `fields:`: each output column with the template that makes it from the table's row. */
export function joinFields(params: Params): Record<string, string> {
  const fields = params.optionalMapping('fields') ?? {};
  for (const [name, template] of Object.entries(fields)) {
    if (typeof template !== 'string') throw new Error(`fields.${name} must be a template such as "{first_name}"`);
  }
  return fields as Record<string, string>;
}

export function fillTemplate(template: string, row: unknown): string | undefined {
  let missing = false;
  const filled = template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = column(row, name);
    if (value === undefined || value === null) missing = true;
    return String(value ?? '');
  });
  return missing ? undefined : filled;
}

export async function tableVersions(services: Services, topic: string): Promise<Versions> {
  const records = await readWholeTopic(services, topic);
  const versions: Versions = new Map();
  for (const record of records) {
    if (record.key === null) continue;
    const key = parseJson(record.key);
    const id = key === undefined || key === null ? record.key : String(key);
    const list = versions.get(id) ?? [];
    list.push({ time: record.timestamp, row: parseJson(record.value) ?? null });
    versions.set(id, list);
  }
  return versions;
}

export const ksqlJoin: ExpectationKind<KsqlJoin> = {
  kind: 'ksql-join',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only(['stream', 'table', 'output', 'id', 'on', 'fields', 'minimum', 'sample']);
    return {
      stream: params.string('stream'),
      table: params.string('table'),
      output: params.string('output'),
      id: params.string('id'),
      on: params.string('on'),
      fields: joinFields(params),
      minimum: params.number('minimum', 5),
      sample: params.number('sample', 400),
    };
  },
  judges: ({ output }) => output,
  object: ({ output }) => `records of ${output}`,
  expected: ({ stream, table, on, fields }) =>
    `each record of ${stream} whose ${on.toUpperCase()} has a row in ${table}, with ${Object.keys(fields).join(', ')} from that row; no record without one`,
  observe: async (params, { services }): Promise<Observation> => {
    const client = new KsqlClient(services);
    const { output, id, on } = params;
    const stream = await client.describe(params.stream);
    if (!stream) return fail(await missingMessage(client, params.stream));
    const table = await client.describe(params.table);
    if (!table) return fail(await missingMessage(client, params.table));
    const judged = await processedByWriter(client, services, output, stream.topic, params.sample);
    if (!('written' in judged)) return judged;
    const { written, input, since } = judged;
    const versions = await tableVersions(services, table.topic);
    const outputRecords = await recordsSince(services, written.source.topic, since);
    const inputById = new Map(input.map((r) => [recordId(r, id), parseJson(r.value)]));
    const fieldNames = Object.keys(params.fields);
    // Whether a record found a row shows in the fields taken from one column: ksqlDB's + joins nulls into "null null".
    const single = fieldNames.filter((f) => /^\{[A-Za-z0-9_]+\}$/.test(params.fields[f] ?? ''));
    const judgedForRow = single.length > 0 ? single : fieldNames;
    const show = (row: unknown) => fieldNames.map((f) => `${f} ${JSON.stringify(column(row, f) ?? null)}`).join(', ');

    for (const record of outputRecords) {
      const rid = recordId(record, id);
      const source = inputById.get(rid);
      if (source === undefined) continue;
      const key = String(column(source, on));
      const rows = (versions.get(key) ?? []).filter((v) => v.row !== null);
      const value = parseJson(record.value);
      if (judgedForRow.every((f) => column(value, f) === undefined || column(value, f) === null)) {
        return fail(
          `${output} holds ${id} ${rid} by ${on.toUpperCase()} ${key} without a row's fields (${show(value)}): it found no row when it arrived`,
          `a LEFT JOIN gives nulls to the records that find no row (guests, and records older than the table's rows): leave them out with WHERE on a column of ${params.table} IS NOT NULL`,
        );
      }
      if (rows.length === 0) {
        return fail(
          `${output} holds ${id} ${rid} by ${on.toUpperCase()} ${key}, who has no row in ${params.table} (${show(value)})`,
          `leave out the records that find no row: a LEFT JOIN gives them nulls, so filter with WHERE on a column of ${params.table} IS NOT NULL`,
        );
      }
      const matches = rows.some(({ row }) =>
        fieldNames.every((f) => fillTemplate(params.fields[f] ?? '', row) === column(value, f)),
      );
      if (!matches) {
        const expected = rows[rows.length - 1]?.row;
        const wanted = fieldNames.map(
          (f) => `${f} ${JSON.stringify(fillTemplate(params.fields[f] ?? '', expected) ?? null)}`,
        );
        return fail(
          `${id} ${rid} by ${on.toUpperCase()} ${key} carries ${show(value)}, but row ${key} of ${params.table} gives ${wanted.join(', ')}`,
          `join on the column that holds the table's key (ON ${params.stream}.${on.toUpperCase()} = ${params.table}'s key), and take the fields from the table's row`,
        );
      }
    }

    // Records whose row the table already held when they arrived must be there.
    const present = new Set(outputRecords.map((r) => recordId(r, id)));
    const joinable = input.filter((r) => {
      const rows = versions.get(String(column(parseJson(r.value), on))) ?? [];
      return rows.some((v) => v.row !== null && v.time + alignmentGraceMs <= r.timestamp);
    });
    const missing = joinable.filter((r) => !present.has(recordId(r, id)));
    if (missing.length > 0) {
      const first = missing[0];
      const error = await newestProcessingError(client, services, written.queryId);
      const example = first
        ? `, e.g. ${id} ${recordId(first, id)} by ${on.toUpperCase()} ${String(column(parseJson(first.value), on))}`
        : '';
      return fail(
        `${missing.length} of the ${joinable.length} processed records of ${params.stream} whose ${on.toUpperCase()} has a row in ${params.table} are not in ${output}${example}${error ? `; ${error}` : ''}`,
      );
    }
    if (joinable.length < params.minimum) {
      return notYet(
        `${joinable.length} of the newest ${input.length} processed records of ${params.stream} have a row in ${params.table} yet; judging needs ${params.minimum}`,
      );
    }
    const left = input.length - joinable.length;
    return pass(
      `all ${joinable.length} records of ${params.stream} that have a row in ${params.table} are there with ${fieldNames.join(', ')} from that row${left > 0 ? `; ${left} without one` : ''}`,
    );
  },
};
