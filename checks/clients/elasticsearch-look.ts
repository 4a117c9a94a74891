/**
 * Looking at an Elasticsearch index that a sink connector fills from a topic: its mapping, the documents the newest
 * records should have become, and why they are not there. Shared by the elasticsearch-index kind and by solve, which
 * replaces an index whose mapping cannot take the records.
 */
import { EnvironmentError } from '#core/errors.js';
import { readNewest } from './kafka-read.js';
import type { Services } from './services.js';

export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
}

/** The index's field mappings, or undefined when there is no such index. */
export async function indexMapping(
  services: Services,
  index: string,
): Promise<Record<string, FieldMapping> | undefined> {
  const answer = await services.elasticsearch<
    Record<string, { mappings?: { properties?: Record<string, FieldMapping> } }>
  >(`/${encodeURIComponent(index)}/_mapping`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw unexpected(answer.status, `GET /${index}/_mapping`, answer.body);
  const [only] = Object.values(answer.body ?? {});
  return only?.mappings?.properties ?? {};
}

export function unexpected(status: number, call: string, body: unknown): EnvironmentError {
  const reason = (body as { error?: { reason?: string } })?.error?.reason;
  return new EnvironmentError(
    `Elasticsearch answered ${call} with HTTP ${status}${reason ? `: ${reason}` : ''}`,
    'see npm run logs -- elasticsearch',
  );
}

/** A newest record of the topic, its value parsed. */
export interface TopicDocument {
  partition: number;
  offset: string;
  timestamp: number;
  value: Record<string, unknown>;
}

/** The newest `count` records of each partition that hold a JSON object (tombstones and other values skipped). */
export async function newestRecords(services: Services, topic: string, count: number): Promise<TopicDocument[]> {
  const records = await readNewest(services, topic, count);
  const documents: TopicDocument[] = [];
  for (const record of records) {
    if (record.value === null) continue;
    try {
      const value = JSON.parse(record.value) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        documents.push({
          partition: record.partition,
          offset: record.offset,
          timestamp: record.timestamp,
          value: value as Record<string, unknown>,
        });
      }
    } catch {
      // not JSON: the sink cannot index it either; the records that are JSON are judged
    }
  }
  return documents;
}

const numberTypes = [
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
];

/** Whether Elasticsearch can index `value` into a field of this mapping (after its usual coercion). */
export function accepts(mapping: FieldMapping, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const type = mapping.type ?? (mapping.properties ? 'object' : undefined);
  if (type === undefined) return true;
  if (type === 'object' || type === 'nested') return typeof value === 'object';
  if (typeof value === 'object') return false;
  if (numberTypes.includes(type)) {
    return (
      typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    );
  }
  if (type === 'boolean') return typeof value === 'boolean' || value === 'true' || value === 'false';
  if (type === 'date')
    return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
  return true;
}

/** The first field of the value that the mapping cannot take: what makes the sink drop a document. */
export function mappingConflict(
  properties: Record<string, FieldMapping>,
  value: Record<string, unknown>,
): { field: string; type: string; value: unknown } | undefined {
  for (const [field, fieldValue] of Object.entries(value)) {
    const mapping = properties[field];
    if (mapping && !accepts(mapping, fieldValue)) {
      return { field, type: mapping.type ?? 'object', value: fieldValue };
    }
  }
  return undefined;
}

/** How a value reads in a message: text in quotes, the rest as JSON. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The first field whose value differs between a record and its document, or undefined when every one is equal. */
export function firstDifference(
  record: Record<string, unknown>,
  source: Record<string, unknown>,
): { field: string; inRecord: unknown; inDocument: unknown } | undefined {
  for (const [field, value] of Object.entries(record)) {
    if (JSON.stringify(source[field]) !== JSON.stringify(value)) {
      return { field, inRecord: value, inDocument: source[field] };
    }
  }
  return undefined;
}

/** The id the sink gives a record's document when it ignores the key (Confluent's sink: topic+partition+offset). */
export const offsetId = (topic: string, record: { partition: number; offset: string }) =>
  `${topic}+${record.partition}+${record.offset}`;

export interface Hit {
  _id: string;
  _source: Record<string, unknown>;
}

/** Documents whose field equals the value: the documents a record became, whatever their ids. */
export async function documentsWith(
  services: Services,
  index: string,
  properties: Record<string, FieldMapping>,
  field: string,
  value: unknown,
): Promise<{ total: number; hits: Hit[] }> {
  const mapped = properties[field];
  const target = mapped?.type === 'text' && mapped.fields?.keyword ? `${field}.keyword` : field;
  const answer = await services.elasticsearch<{ hits?: { total?: { value: number }; hits?: Hit[] } }>(
    `/${encodeURIComponent(index)}/_search`,
    { method: 'POST', body: { size: 3, track_total_hits: true, query: { term: { [target]: value } } } },
  );
  if (answer.status !== 200) throw unexpected(answer.status, `POST /${index}/_search`, answer.body);
  return { total: answer.body.hits?.total?.value ?? 0, hits: answer.body.hits?.hits ?? [] };
}
