/**
 * A stream-table join is right, judged from the topics alone (the Flink variant of step 5; any engine): each output
 * record of the stretch processed (topic-progress.ts) is a record of the stream that found a row of the table, with
 * the fields that row held as of the record's time (`asOf`: an event-time temporal join takes exactly that version;
 * otherwise a later version is accepted, as a processing-time join may); every record of the stretch that had a row
 * by then is there; and the output keeps up with its input (`stallMs`: an output that stopped while its input goes on
 * has stalled, as an event-time join does when one side's watermark stops moving).
 */
import { readNewest } from '#checks/clients/kafka-read.js';
import { column, parseJson, recordId } from '#checks/clients/ksql-look.js';
import { coveredByOutput, missingTopics, newestTime } from '#checks/clients/topic-progress.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';
import { fillTemplate, joinFields, tableVersions } from './ksql-join.js';

interface TopicJoin {
  stream: string;
  table: string;
  output: string;
  id: string;
  on: string;
  fields: Record<string, string>;
  /** The stream's field holding its event time (epoch ms); the record timestamp unless told. */
  timeField?: string;
  asOf: boolean;
  stallMs: number;
  stalledHint?: string;
  minimum: number;
  sample: number;
}

export const topicJoin: ExpectationKind<TopicJoin> = {
  kind: 'topic-join',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only([
      'stream',
      'table',
      'output',
      'id',
      'on',
      'fields',
      'timeField',
      'asOf',
      'stallMs',
      'stalledHint',
      'minimum',
      'sample',
    ]);
    return {
      stream: params.string('stream'),
      table: params.string('table'),
      output: params.string('output'),
      id: params.string('id'),
      on: params.string('on'),
      fields: joinFields(params),
      timeField: params.optionalString('timeField'),
      asOf: params.boolean('asOf', false),
      stallMs: params.number('stallMs', 30_000),
      stalledHint: params.optionalString('stalledHint'),
      minimum: params.number('minimum', 5),
      sample: params.number('sample', 400),
    };
  },
  judges: ({ output }) => output,
  object: ({ output }) => `records of topic ${output}`,
  expected: ({ stream, table, on, fields, asOf }) =>
    `each record of ${stream} whose ${on} has a row in ${table}, with ${Object.keys(fields).join(', ')} from that row${asOf ? ' as it was at the record’s time' : ''}; no other`,
  observe: async (params, { services, clock: now }): Promise<Observation> => {
    const { output, id, on } = params;
    const absent = await missingTopics(services, [params.stream, params.table], output);
    if (absent) return absent;
    const [input, written, versions] = await Promise.all([
      readNewest(services, params.stream, params.sample),
      readNewest(services, output, params.sample),
      tableVersions(services, params.table),
    ]);
    if (written.length === 0) return notYet(`topic ${output} has no records yet`);
    const timeOf = (value: unknown, timestamp: number) => {
      const field = params.timeField ? Number(column(value, params.timeField)) : Number.NaN;
      return Number.isFinite(field) ? field : timestamp;
    };
    const fieldNames = Object.keys(params.fields);
    const show = (row: unknown) => fieldNames.map((f) => `${f} ${JSON.stringify(column(row, f) ?? null)}`).join(', ');
    const inputById = new Map(input.map((r) => [recordId(r, id) ?? '', r]));
    /** The row in force at `time`: the newest version written at or before it (null when deleted). */
    const rowAt = (key: string, time: number) => {
      const before = (versions.get(key) ?? []).filter((v) => v.time <= time);
      return before.length === 0 ? undefined : before[before.length - 1]?.row;
    };

    for (const record of written) {
      const rid = recordId(record, id) ?? '';
      const source = inputById.get(rid);
      if (!source) continue;
      const sourceValue = parseJson(source.value);
      const key = String(column(sourceValue, on));
      const time = timeOf(sourceValue, source.timestamp);
      const value = parseJson(record.value);
      const rows = (versions.get(key) ?? []).filter((v) => v.row !== null);
      if (rows.length === 0 || fieldNames.every((f) => column(value, f) === undefined || column(value, f) === null)) {
        return fail(
          `${output} holds ${id} ${rid} by ${on} ${key} without a row of ${params.table} (${show(value)}): a record that finds no row must be left out`,
        );
      }
      const wanted = (row: unknown) =>
        fieldNames.every((f) => fillTemplate(params.fields[f] ?? '', row) === column(value, f));
      const inForce = rowAt(key, time);
      const right = params.asOf
        ? inForce !== undefined && inForce !== null && wanted(inForce)
        : rows.some((v) => wanted(v.row));
      if (!right) {
        const expected = params.asOf ? inForce : rows[rows.length - 1]?.row;
        const should = fieldNames.map(
          (f) => `${f} ${JSON.stringify(fillTemplate(params.fields[f] ?? '', expected) ?? null)}`,
        );
        return fail(
          `${id} ${rid} by ${on} ${key} carries ${show(value)}, but ${params.asOf ? `at its time (${formatClock(time)} UTC) ` : ''}row ${key} of ${params.table} gave ${should.join(', ')}`,
        );
      }
    }

    // Stalled: nothing written for stallMs while the input went on (whatever the output holds is older).
    const lastWrite = newestTime(written) ?? 0;
    const newerInput = input.filter((r) => r.timestamp > lastWrite + params.stallMs);
    if (now.now() - lastWrite > params.stallMs && newerInput.length > 0) {
      return fail(
        `${output} was last written at ${formatClock(lastWrite)} (UTC); ${newerInput.length} records of ${params.stream} have arrived more than ${params.stallMs / 1000} s after that, and none has come out`,
        params.stalledHint,
      );
    }
    const present = new Set(written.map((r) => recordId(r, id) ?? ''));
    const covered = coveredByOutput(input, present, id);
    if (covered.length === 0)
      return notYet(`none of the newest ${input.length} records of ${params.stream} is in ${output} yet`);
    const joinable = covered.filter((r) => {
      const value = parseJson(r.value);
      const row = rowAt(String(column(value, on)), timeOf(value, r.timestamp));
      return row !== undefined && row !== null;
    });
    const missing = joinable.filter((r) => !present.has(recordId(r, id) ?? ''));
    const first = missing[0];
    if (first) {
      return fail(
        `${output} lacks ${missing.length} of the ${joinable.length} processed records of ${params.stream} that had a row in ${params.table}, e.g. ${id} ${recordId(first, id)} by ${on} ${String(column(parseJson(first.value), on))}`,
      );
    }

    if (joinable.length < params.minimum) {
      return notYet(
        `${joinable.length} processed records of ${params.stream} had a row in ${params.table}; judging needs ${params.minimum}`,
      );
    }
    const left = covered.length - joinable.length;
    return pass(
      `all ${joinable.length} processed records of ${params.stream} that had a row in ${params.table} are there with ${fieldNames.join(', ')} from ${params.asOf ? 'the row as it was at their time' : 'that row'}${left > 0 ? `; ${left} without one are left out` : ''}`,
    );
  },
};
