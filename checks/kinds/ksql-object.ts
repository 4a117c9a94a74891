/**
 * A ksqlDB stream or table exists as the step declares it: its kind, topic, key (a column whose type and key format
 * read the topic's keys), columns, value format and window; and, for a CREATE … AS SELECT, a query that writes it
 * and is RUNNING. Records ksqlDB failed to read are shown with ksqlDB's own message, from its processing log.
 */

import { describeProcessingError, lookAtWritten, missingMessage, processingErrors } from '#checks/clients/ksql-look.js';
import { KsqlClient, typeName } from '#checks/clients/ksqldb.js';
import { type ExpectationKind, fail, notYet, type Params, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface KsqlObject {
  name: string;
  type: 'STREAM' | 'TABLE';
  topic?: string;
  key?: string;
  /** Key formats and the key types each reads: { JSON: [BIGINT, INTEGER], KAFKA: [STRING] }. */
  keyTypes: Record<string, string[]>;
  /** Value columns that must be there, with the types each may have. */
  columns: Record<string, string[]>;
  valueFormat?: string;
  /** Whether a persistent query writes it (CREATE … AS SELECT). */
  written: boolean;
  window?: { type: string; sizeMs?: number };
}

const types = (value: unknown, where: string): string[] => {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((t) => typeof t !== 'string')) {
    throw new Error(`${where} must be a type or a list of types (INTEGER, BIGINT, STRING, …)`);
  }
  return (list as string[]).map((t) => t.toUpperCase());
};

function parse(params: Params): KsqlObject {
  params.only([
    'name',
    'type',
    'topic',
    'key',
    'keyTypes',
    'columns',
    'valueFormat',
    'written',
    'window',
    'windowSizeMs',
  ]);
  const keyTypes = Object.fromEntries(
    Object.entries(params.optionalMapping('keyTypes') ?? {}).map(([format, t]) => [
      format.toUpperCase(),
      types(t, `keyTypes.${format}`),
    ]),
  );
  const columns = Object.fromEntries(
    Object.entries(params.optionalMapping('columns') ?? {}).map(([name, t]) => [
      name.toUpperCase(),
      types(t, `columns.${name}`),
    ]),
  );
  const window = params.optionalString('window');
  return {
    name: params.string('name'),
    type: params.oneOf('type', ['STREAM', 'TABLE'] as const),
    topic: params.optionalString('topic'),
    key: params.optionalString('key'),
    keyTypes,
    columns,
    valueFormat: params.optionalString('valueFormat'),
    written: params.boolean('written', false),
    window: window ? { type: window.toUpperCase(), sizeMs: params.number('windowSizeMs', 0) || undefined } : undefined,
  };
}

const keyChoices = (keyTypes: Record<string, string[]>) =>
  Object.entries(keyTypes)
    .map(([format, t]) => `${t.join(' or ')} in KEY_FORMAT '${format}'`)
    .join(', or ');

const unitMs: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** The window size in a query's statement as ksqlDB stores it: `WINDOW TUMBLING ( SIZE 1 MINUTES )`. */
export function windowSizeMs(statement: string): number | undefined {
  const match = /WINDOW\s+\w+\s*\(\s*SIZE\s+(\d+)\s+([A-Z]+?)S?\b/i.exec(statement);
  if (!match) return undefined;
  const unit = unitMs[(match[2] ?? '').toUpperCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

export const ksqlObject: ExpectationKind<KsqlObject> = {
  kind: 'ksql-object',
  deadlineMs: 10_000,
  parse,
  judges: ({ name }) => name,
  object: ({ name, type }) => `ksqlDB ${type.toLowerCase()} ${name}`,
  expected: ({ type, topic, key, keyTypes, columns, valueFormat, written, window }) =>
    [
      `a ${type}${topic ? ` over topic "${topic}"` : ''}`,
      key ? `key column ${key}${Object.keys(keyTypes).length > 0 ? ` (${keyChoices(keyTypes)})` : ''}` : undefined,
      Object.keys(columns).length > 0 ? `columns ${Object.keys(columns).join(', ')}` : undefined,
      valueFormat ? `value format ${valueFormat}` : undefined,
      window ? `a ${window.type}${window.sizeMs ? ` ${seconds(window.sizeMs)}` : ''} window` : undefined,
      written ? 'written by a RUNNING query' : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  observe: async (params, { services }): Promise<Observation> => {
    const client = new KsqlClient(services);
    const { name } = params;
    const source = await client.describe(name, true);
    if (!source) return fail(await missingMessage(client, name));
    if (source.type !== params.type) {
      return fail(
        `${name} is a ${source.type}`,
        params.type === 'TABLE'
          ? `a table holds the latest row per key: drop the stream (DROP STREAM ${name};) and declare it with CREATE TABLE … (… PRIMARY KEY)`
          : `drop the table (DROP TABLE ${name};) and declare it with CREATE STREAM`,
      );
    }
    if (params.topic && source.topic !== params.topic) {
      return fail(
        `${name} reads topic "${source.topic}"`,
        `KAFKA_TOPIC must be '${params.topic}' (topic names are case-sensitive)`,
      );
    }
    const keys = source.fields.filter((f) => f.type === 'KEY');
    const keyProblem = (found: string) =>
      fail(
        found,
        `declare the key as ${params.key} with ${keyChoices(params.keyTypes)}: drop ${name} and create it again`,
      );
    if (params.key) {
      const keyField = keys.find((f) => f.name === params.key);
      if (!keyField) {
        return keyProblem(
          keys.length === 0 ? `${name} has no key column` : `key column ${keys.map((k) => k.name).join(', ')}`,
        );
      }
      const allowed = params.keyTypes[source.keyFormat];
      const keyType = typeName(keyField.schema);
      if (Object.keys(params.keyTypes).length > 0 && !allowed?.includes(keyType)) {
        const errors = await readerErrors(
          client,
          services,
          source.readQueries.map((q) => q.id),
          source.topic,
        );
        return keyProblem(
          `key ${params.key} ${keyType} in KEY_FORMAT '${source.keyFormat}', which cannot read the keys of "${source.topic}"${errors ? `; ${errors}` : ''}`,
        );
      }
    }
    for (const [column, allowed] of Object.entries(params.columns)) {
      const field = source.fields.find((f) => f.name === column && f.type !== 'KEY');
      if (!field) {
        return fail(
          `no value column ${column}; columns: ${source.fields.map((f) => f.name).join(', ')}`,
          `add ${column} to ${name}'s columns (names are upper-cased unless quoted)`,
        );
      }
      if (!allowed.includes(typeName(field.schema))) {
        return fail(`column ${column} is ${typeName(field.schema)}`, `declare ${column} as ${allowed.join(' or ')}`);
      }
    }
    if (params.valueFormat && source.valueFormat !== params.valueFormat) {
      // A query's output keeps the format it was made with: it must be dropped, with the topic in that format.
      return fail(
        `value format ${source.valueFormat}`,
        source.writeQueries.length > 0
          ? `drop it with its topic (DROP ${source.type} ${name} DELETE TOPIC;) and create it again WITH (VALUE_FORMAT = '${params.valueFormat}')`
          : `set VALUE_FORMAT = '${params.valueFormat}'`,
      );
    }
    const writer = source.writeQueries[0];
    if (params.window) {
      if (source.windowType !== params.window.type) {
        return fail(
          source.windowType ? `a ${source.windowType} window` : 'no window',
          `group the counts in a WINDOW ${params.window.type} (SIZE …): drop ${name} (DELETE TOPIC) and create it again`,
        );
      }
      const size = writer ? windowSizeMs(writer.queryString ?? '') : undefined;
      if (params.window.sizeMs && size !== undefined && size !== params.window.sizeMs) {
        return fail(
          `a ${params.window.type} window of ${seconds(size)}`,
          `the window must be ${seconds(params.window.sizeMs)}: drop ${name} (DELETE TOPIC) and create it again`,
        );
      }
    }
    if (params.written) {
      const look = await lookAtWritten(client, name, source);
      if ('missing' in look) return fail(look.missing);
      if ('notWritten' in look) {
        return fail(
          `${look.notWritten}: its query was terminated, or it was declared without AS SELECT`,
          `drop it (DROP ${source.type} ${name} DELETE TOPIC;) and create it again with CREATE ${source.type} ${name} … AS SELECT`,
        );
      }
      const { queryId, state, query } = look.written;
      if (state === 'ERROR') {
        const last = query?.queryErrors?.[query.queryErrors.length - 1];
        return fail(
          `query ${queryId} is in ERROR${last ? `: ${last.errorMessage}` : ''}`,
          `see why with EXPLAIN ${queryId}; then drop ${name} (DELETE TOPIC) and create it again`,
        );
      }
      if (state !== 'RUNNING') {
        return { ...notYet(`query ${queryId} is ${state}`), atDeadline: 'fail' };
      }
    }
    // A source others read: have they failed to read its records? ksqlDB counts the failures; only then is its
    // processing log worth reading for why.
    const failed = (source.clusterErrorStats ?? []).some((s) => s.name === 'consumer-failed-messages' && s.value > 0);
    const errors = failed
      ? await readerErrors(
          client,
          services,
          source.readQueries.map((q) => q.id),
          source.topic,
        )
      : undefined;
    if (errors) {
      return fail(errors, `declare ${name}'s key and value formats so they read what is in "${source.topic}"`);
    }
    const described = [
      `${source.type} over "${source.topic}"`,
      keys.length > 0
        ? `key ${keys.map((k) => `${k.name} ${typeName(k.schema)}`).join(', ')} (${source.keyFormat})`
        : undefined,
      `${source.fields.filter((f) => f.type !== 'KEY').length} columns (${source.valueFormat})`,
      source.windowType ? `${source.windowType} window` : undefined,
      writer ? `written by ${writer.id} (RUNNING)` : undefined,
    ];
    return pass(described.filter(Boolean).join(', '));
  },
};

/** The newest error of the queries that read a topic, in ksqlDB's words, or undefined when they read it fine. */
async function readerErrors(
  client: KsqlClient,
  services: Parameters<ExpectationKind<unknown>['observe']>[1]['services'],
  queryIds: string[],
  topic: string,
): Promise<string | undefined> {
  if (queryIds.length === 0) return undefined;
  const errors = (await processingErrors(services, await client.serviceId(), queryIds)).filter(
    (e) => e.topic === undefined || e.topic === topic,
  );
  const last = errors[errors.length - 1];
  if (!last) return undefined;
  return `${describeProcessingError(last)}${errors.length > 1 ? ` (and ${errors.length - 1} more in ksqlDB's processing log)` : ''}`;
}
