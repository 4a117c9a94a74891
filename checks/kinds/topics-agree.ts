/**
 * Two topics written by the same statements on the same input agree: a record of one is, field for field, the record
 * of the other with the same id. For a headless deployment beside the interactive pipeline: the newest records of
 * the reference topic are looked up in the topic judged. With `complete`, the judged topic must also hold no record
 * the reference has not, within the time the reference's sample covers (a filter keeps the same records on both).
 */

import { shownValue } from '#checks/clients/elasticsearch-look.js';
import { readNewest } from '#checks/clients/kafka-read.js';
import { parseJson, recordId } from '#checks/clients/ksql-look.js';
import type { Services } from '#checks/clients/services.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface TopicsAgree {
  topic: string;
  reference: string;
  /** The column naming a record: a column of its value, or else its key (ksqlDB keeps key columns out of it). */
  id: string;
  fields: string[];
  complete: boolean;
  sample: number;
  /** At least this many of the reference's sample must be in the topic judged. */
  minimum: number;
}

interface Keyed {
  id: string;
  timestamp: number;
  value: Record<string, unknown>;
}

/** The newest `count` records of a topic with a JSON value, each named by its id (a value column, or else its key). */
async function keyedRecords(services: Services, topic: string, count: number, id: string): Promise<Keyed[]> {
  const records = await readNewest(services, topic, count);
  const keyed: Keyed[] = [];
  for (const record of records) {
    const value = parseJson(record.value);
    const name = recordId(record, id);
    if (name === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    keyed.push({ id: name, timestamp: record.timestamp, value: value as Record<string, unknown> });
  }
  return keyed;
}

export const topicsAgree: ExpectationKind<TopicsAgree> = {
  kind: 'topics-agree',
  deadlineMs: 45_000,
  parse: (params) => {
    params.only(['topic', 'reference', 'id', 'fields', 'complete', 'sample', 'minimum']);
    return {
      topic: params.string('topic'),
      reference: params.string('reference'),
      id: params.string('id'),
      fields: params.strings('fields'),
      complete: params.boolean('complete', false),
      sample: params.number('sample', 100),
      minimum: params.number('minimum', 10),
    };
  },
  object: ({ topic }) => `topic "${topic}"`,
  expected: ({ reference, id, fields, complete }) =>
    `the same ${fields.join(', ')} as ${reference} for each ${id}${complete ? ', and no record that topic has not' : ''}`,
  observe: async (params, { services }): Promise<Observation> => {
    const { topic, reference, id, fields, complete, sample, minimum } = params;
    const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
    if (!topics.includes(reference)) {
      return fail(`topic ${reference}, to compare with, does not exist`, `its step must pass first`);
    }
    if (!topics.includes(topic)) return { ...notYet(`topic ${topic} does not exist yet`), atDeadline: 'fail' };
    const wanted = await keyedRecords(services, reference, sample, id);
    if (wanted.length === 0) return fail(`${reference} holds no records to compare with`, 'its step must pass first');
    // The judged topic may hold the reference's whole history: read enough of its newest to cover the sample.
    const judged = await keyedRecords(services, topic, sample * 4, id);
    const byId = new Map(judged.map((r) => [r.id, r]));
    let found = 0;
    for (const want of wanted) {
      const have = byId.get(want.id);
      if (!have) continue;
      found++;
      const differs = fields.find((f) => JSON.stringify(have.value[f]) !== JSON.stringify(want.value[f]));
      if (differs) {
        return fail(
          `its record with ${id} ${want.id} has ${differs} ${shownValue(have.value[differs])}, where ${reference} has ${shownValue(want.value[differs])}: the two servers do not run the same statement`,
        );
      }
    }
    if (complete && judged.length > 0) {
      const wantedIds = new Set(wanted.map((w) => w.id));
      // Over the time both samples cover, the two hold the same records: none more, none fewer.
      const from = Math.max(Math.min(...wanted.map((w) => w.timestamp)), Math.min(...judged.map((r) => r.timestamp)));
      const to = Math.min(Math.max(...wanted.map((w) => w.timestamp)), Math.max(...judged.map((r) => r.timestamp)));
      const within = (r: Keyed) => r.timestamp >= from && r.timestamp <= to;
      const extra = judged.filter((r) => within(r) && !wantedIds.has(r.id));
      if (extra.length > 0) {
        const e = extra[0] as Keyed;
        return fail(
          `it holds ${extra.length} record(s) that ${reference} has not, e.g. ${id} ${e.id} (${fields.map((f) => `${f} ${shownValue(e.value[f])}`).join(', ')}): the two servers do not run the same statement`,
        );
      }
      const lacking = wanted.filter((w) => within(w) && !byId.has(w.id));
      if (lacking.length > 0) {
        const l = lacking[0] as Keyed;
        return fail(
          `it lacks ${lacking.length} record(s) that ${reference} has in the same time, e.g. ${id} ${l.id} (${fields.map((f) => `${f} ${shownValue(l.value[f])}`).join(', ')}): the two servers do not run the same statement`,
        );
      }
    }
    if (found < Math.min(minimum, wanted.length)) {
      return {
        ...notYet(
          `${found} of the newest ${wanted.length} records of ${reference} are in ${topic} yet: it is catching up`,
        ),
        atDeadline: 'fail',
      };
    }
    return pass(
      `${found} of the newest ${wanted.length} records of ${reference} in it, each with the same ${fields.join(', ')}`,
    );
  },
};
