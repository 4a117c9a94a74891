/**
 * The newest records of a topic are Avro in Confluent's wire format (a zero byte, the schema id in four bytes, the
 * Avro bytes), written with a schema registered under the step's subject, and decode with it. The decoding is
 * @kafkajs/confluent-schema-registry's, which fetches each schema by its id from the registry (imported only when a
 * step has records to decode).
 */

import { readRanges, topicOffsets } from '#checks/clients/kafka-read.js';
import { subjectsOfSchemaId } from '#checks/clients/schema-registry-look.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { EnvironmentError } from '#core/errors.js';

interface AvroRecords {
  topic: string;
  subject: string;
  /** How many of the newest records of each partition are looked at. */
  newest: number;
}

/** What the first bytes of a value that is not in the wire format look like, to say what it is instead. */
function describeNotAvro(value: Buffer): string {
  if (value.length === 0) return 'an empty value';
  const text = value.subarray(0, 40).toString('utf8');
  if (/^\s*[{["]/.test(text)) return `text that looks like JSON (${JSON.stringify(text)}…)`;
  return `first byte 0x${value[0]?.toString(16).padStart(2, '0')}, not the wire format's 0x00`;
}

export const avroRecords: ExpectationKind<AvroRecords> = {
  kind: 'avro-records',
  deadlineMs: 10_000,
  parse: (params) => {
    params.only(['topic', 'subject', 'newest']);
    return { topic: params.string('topic'), subject: params.string('subject'), newest: params.number('newest', 10) };
  },
  object: ({ topic }) => `topic "${topic}"`,
  expected: ({ subject }) => `its newest records in Avro, with a schema of subject "${subject}" they decode with`,
  observe: async ({ topic, subject, newest }, { services }): Promise<Observation> => {
    const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
    if (!topics.includes(topic)) return notYet('no such topic yet');
    const offsets = await topicOffsets(services, topic);
    const ranges = offsets.map((o) => {
      const from = o.high - BigInt(newest) > o.low ? o.high - BigInt(newest) : o.low;
      return { partition: o.partition, from, to: o.high };
    });
    const records = (
      await readRanges(services, topic, ranges, { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) })
    ).filter((r) => r.valueBytes !== null);
    if (records.length === 0) return notYet('no records yet');
    // Loaded here, not at the top: the Avro library costs every other check's start about 0.15 s.
    services.requirePresent('Schema Registry');
    const { registryClient } = await import('#datagen/avro.js');
    const registry = registryClient(services.config.schemaRegistryUrl, services.timeouts.requestMs, 'workshop-check');
    const ids = new Map<number, number>();
    for (const record of records) {
      const value = record.valueBytes as Buffer;
      const where = `the record at partition ${record.partition}, offset ${record.offset}`;
      if (value.length < 5 || value[0] !== 0) {
        return fail(
          `${where} is not Avro in Confluent's wire format: ${describeNotAvro(value)}`,
          'only Avro producers that use the registry may write this topic; reset the step to start it afresh',
        );
      }
      const id = value.readInt32BE(1);
      if (!ids.has(id)) {
        const registered = await subjectsOfSchemaId(services, id);
        if ('missing' in registered) {
          return fail(`${where} names schema id ${id}, which the registry does not have (${registered.missing})`);
        }
        const mine = registered.find((r) => r.subject === subject);
        if (!mine) {
          return fail(
            `${where} was written with schema id ${id}, registered under ${registered.map((r) => `"${r.subject}"`).join(', ') || 'no subject'}, not "${subject}"`,
          );
        }
        ids.set(id, mine.version);
      }
      try {
        await registry.decode(value);
      } catch (error) {
        const message = (error as Error).message;
        const status = (error as { status?: number }).status ?? 0;
        if (status >= 500 || /abort|timeout|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(message)) {
          throw new EnvironmentError(
            `the Schema Registry at ${services.config.schemaRegistryUrl} did not give schema id ${id} (${message})`,
            'see npm run status, then check again',
          );
        }
        return fail(`${where} does not decode with schema id ${id}: ${message}`);
      }
    }
    const versions = [...ids].map(([id, version]) => `id ${id} (version ${version})`).join(', ');
    return pass(`the newest ${records.length} record(s) decode with schema ${versions} of "${subject}"`);
  },
};
