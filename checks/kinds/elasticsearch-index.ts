/**
 * An Elasticsearch index that a sink connector keeps filled from a topic: it exists, its time field is a `date`
 * (Kibana's time filter needs one), and the newest records of the topic are documents in it with the same fields and
 * values, under the ids the sink gives them. When they are not, it tells why: the sink is not reading the topic,
 * documents pile up or overwrite each other (the wrong key.ignore), the mapping refuses the records, or the sink is
 * behind.
 */

import {
  documentsWith,
  type FieldMapping,
  firstDifference,
  indexMapping,
  mappingConflict,
  newestRecords,
  offsetId,
  shownValue,
  type TopicDocument,
  unexpected,
} from '#checks/clients/elasticsearch-look.js';
import { ServiceStarting, type Services } from '#checks/clients/services.js';
import { type ExpectationKind, fail, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface ElasticsearchIndex {
  index: string;
  topic: string;
  timeField: string;
  /** A value field that holds the document id (the record key is not the id); absent: topic+partition+offset. */
  idField: string | undefined;
  /** A value field that tells the records apart, to find a record's document under another id. */
  matchField: string;
  /** The sink connector that writes the index, for the messages. */
  connector: string | undefined;
  /** How many of each partition's newest records to look for. */
  newest: number;
}

/** Not yet: the sink may still be catching up; at the deadline it is the learner's to fix. */
const notYet = (found: string, hint?: string): Observation => ({ outcome: 'not-yet', found, hint, atDeadline: 'fail' });

const templateHint =
  'Kibana needs a date to draw over time. The index was made before the index template "workshop-timestamps" was ' +
  'there: npm run up puts the template back; then delete the index (npm run reset step-8) and apply your connector ' +
  'again, so the sink makes it anew';

export const elasticsearchIndex: ExpectationKind<ElasticsearchIndex> = {
  kind: 'elasticsearch-index',
  deadlineMs: 30_000,
  parse: (params) => {
    params.only(['index', 'topic', 'timeField', 'idField', 'matchField', 'connector', 'newest']);
    return {
      index: params.string('index'),
      topic: params.string('topic'),
      timeField: params.string('timeField'),
      idField: params.optionalString('idField'),
      matchField: params.string('matchField'),
      connector: params.optionalString('connector'),
      newest: params.number('newest', 5),
    };
  },
  object: ({ index }) => `Elasticsearch index "${index}"`,
  expected: ({ topic, timeField, idField }) =>
    `${timeField} mapped as date, and the newest records of topic "${topic}" as documents with the same fields and ` +
    `values, ids ${idField ? `from ${idField}` : 'topic+partition+offset'}`,
  observe: async (params, context): Promise<Observation> => {
    try {
      return await look(params, context.services);
    } catch (error) {
      // A new index answers 503 until its shards have started (the sink has just made it): not yet, not down.
      if (error instanceof ServiceStarting && error.service === 'Elasticsearch') {
        return {
          outcome: 'not-yet',
          found: `index "${params.index}" is not ready yet (Elasticsearch answers 503 while its shards start)`,
          atDeadline: 'environment-error',
        };
      }
      throw error;
    }
  },
};

async function look(params: ElasticsearchIndex, services: Services): Promise<Observation> {
  const { index, topic, timeField, connector } = params;
  const properties = await indexMapping(services, index);
  if (!properties) return missingIndex(services, params);
  const timeType = properties[timeField]?.type;
  const documents = await documentCount(services, index);
  if (!timeType) {
    if (documents === 0) {
      // An index made by hand before the sink wrote to it may refuse every record.
      const [newest] = (await newestRecords(services, topic, 1)).slice(-1);
      const conflict = newest && mappingConflict(properties, newest.value);
      return conflict
        ? refused(conflict, index)
        : notYet(`index "${index}" holds no documents yet`, sinkHint(connector));
    }
    return fail(
      `${documents} documents, none with a field ${timeField}`,
      `the records of topic "${topic}" must hold ${timeField}: check the step that writes the topic`,
    );
  }
  if (timeType !== 'date') return fail(`${timeField} is mapped as ${timeType}, not date`, templateHint);

  const records = await newestRecords(services, topic, params.newest);
  if (records.length === 0) {
    return notYet(`topic "${topic}" has no records yet`, `the steps before this one fill it: npm run check`);
  }
  const expected = expectedDocuments(params, records);
  if ('problem' in expected) return expected.problem;
  const found = await getDocuments(services, index, [...expected.byId.keys()]);

  let behind: string | undefined;
  for (const [id, record] of expected.byId) {
    const source = found.get(id);
    if (!source) continue;
    const difference = firstDifference(record.value, source);
    if (!difference) continue;
    const text = `${difference.field} is ${shownValue(difference.inRecord)} in the record, ${shownValue(difference.inDocument)} in the document`;
    // A document keyed by a value field is replaced by each newer record: an older one is the sink being behind.
    if (params.idField) behind ??= `document "${id}" is not yet the newest record's: ${text}`;
    else return fail(`document "${id}" differs from its record: ${text}`, mangledHint(connector));
  }
  const missing = [...expected.byId].filter(([id]) => !found.has(id));
  if (missing.length === 0 && !behind) {
    return pass(
      `${expected.byId.size} newest record(s) of "${topic}" found as documents, fields and values equal; ` +
        `${timeField} is a date`,
    );
  }
  if (missing.length === 0) return notYet(behind as string, sinkHint(connector));
  const [missingId, record] = missing[0] as [string, TopicDocument];
  return explainMissing(services, params, properties, missingId, record, missing.length, expected.byId.size);
}

function sinkHint(connector: string | undefined): string {
  return connector
    ? `the sink writes each record within seconds: npm run connector -- status ${connector} shows whether it runs`
    : 'the sink writes each record within seconds: check that its connector runs (npm run connector -- status)';
}

function mangledHint(connector: string | undefined): string {
  return `a transform or converter in ${connector ? `connector "${connector}"` : 'the sink connector'} changes the records: compare its config with the guide's`;
}

async function documentCount(services: Services, index: string): Promise<number> {
  const answer = await services.elasticsearch<{ count?: number }>(`/${encodeURIComponent(index)}/_count`);
  if (answer.status !== 200) throw unexpected(answer.status, `GET /${index}/_count`, answer.body);
  return answer.body.count ?? 0;
}

/** The documents the newest records should be: one per record, or one per id value (the newest record of each). */
function expectedDocuments(
  params: ElasticsearchIndex,
  records: TopicDocument[],
): { byId: Map<string, TopicDocument> } | { problem: Observation } {
  const byId = new Map<string, TopicDocument>();
  const sorted = [...records].sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  for (const record of sorted) {
    if (!params.idField) {
      byId.set(offsetId(params.topic, record), record);
      continue;
    }
    const id = record.value[params.idField];
    if (typeof id !== 'string' && typeof id !== 'number') {
      return {
        problem: fail(
          `the records of topic "${params.topic}" have no ${params.idField}`,
          `the table that writes "${params.topic}" must copy ${params.idField} into its value (step 7's guide shows how)`,
        ),
      };
    }
    byId.set(String(id), record);
  }
  return { byId };
}

async function getDocuments(services: Services, index: string, ids: string[]) {
  const answer = await services.elasticsearch<{
    docs?: { _id: string; found: boolean; _source?: Record<string, unknown> }[];
  }>(`/${encodeURIComponent(index)}/_mget`, { method: 'POST', body: { ids } });
  if (answer.status !== 200) throw unexpected(answer.status, `POST /${index}/_mget`, answer.body);
  const found = new Map<string, Record<string, unknown>>();
  for (const doc of answer.body.docs ?? []) if (doc.found && doc._source) found.set(doc._id, doc._source);
  return found;
}

async function missingIndex(services: Services, params: ElasticsearchIndex): Promise<Observation> {
  const { index, topic, connector } = params;
  if (connector) {
    const config = await services.connect<Record<string, string>>(
      `/connectors/${encodeURIComponent(connector)}/config`,
    );
    if (config.status === 200) {
      const topics = (config.body.topics ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const regex = config.body['topics.regex'];
      const reads = topics.includes(topic) || (regex !== undefined && new RegExp(`^(?:${regex})$`).test(topic));
      if (!reads) {
        return fail(
          `no index "${index}": connector "${connector}" does not read topic "${topic}" (its topics: ${topics.join(', ') || regex || 'none'})`,
          `add ${topic} to the connector's "topics" and apply it again: npm run connector -- apply <your file>`,
        );
      }
    }
  }
  return notYet(`no index "${index}" yet`, sinkHint(connector));
}

/** Why the newest records are not where they should be. */
async function explainMissing(
  services: Services,
  params: ElasticsearchIndex,
  properties: Record<string, FieldMapping>,
  missingId: string,
  record: TopicDocument,
  missingCount: number,
  total: number,
): Promise<Observation> {
  const { index, topic, idField, matchField, connector } = params;
  const match = record.value[matchField];
  const elsewhere =
    match === undefined ? { total: 0, hits: [] } : await documentsWith(services, index, properties, matchField, match);
  const otherId = elsewhere.hits[0]?._id;
  if (otherId !== undefined && otherId !== missingId) {
    const offsetIds = new RegExp(`^${escapeRegExp(topic)}\\+\\d+\\+\\d+$`).test(otherId);
    if (idField && offsetIds) {
      return fail(
        `${elsewhere.total} documents for ${matchField} ${shownValue(match)}, ids like "${otherId}" (topic+partition+offset): each update of a row is a new document, so the rows pile up`,
        `the id must be ${idField}: set "key.ignore" to "false" for ${topic} and make ${idField} the key (ValueToKey, then ExtractField$Key), as the guide shows`,
      );
    }
    if (idField) {
      return fail(
        `the newest record's document has id "${otherId}", not its ${idField} "${missingId}": rows with the same id overwrite each other`,
        `the record key ("${otherId}") is the same for every window: make ${idField} the key (ValueToKey, then ExtractField$Key on ${idField}), as the guide shows`,
      );
    }
    return fail(
      `the newest record's document has id "${otherId}", not "${missingId}": the id is the record key, so records with the same key overwrite each other`,
      `ignore the key for ${topic}: list it in "topic.key.ignore" (or set "key.ignore": "true"), so each record is a document of its own`,
    );
  }
  const conflict = mappingConflict(properties, record.value);
  if (conflict) return refused(conflict, index);
  return notYet(
    `${missingCount} of the ${total} newest record(s) of "${topic}" are not in the index yet (no document "${missingId}")`,
    sinkHint(connector),
  );
}

function refused(conflict: { field: string; type: string; value: unknown }, index: string): Observation {
  return fail(
    `${conflict.field} is mapped as ${conflict.type} but the records hold ${shownValue(conflict.value)}: Elasticsearch refuses them and the sink drops them (behavior.on.malformed.documents)`,
    `the index's mapping does not fit the records: delete the index (npm run reset step-8, or DELETE /${index}) and let the sink make it again from the records`,
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
