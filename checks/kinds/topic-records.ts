/**
 * A topic exists and holds matching records: values valid against a schema, keys equal to a field of the value,
 * and, optionally, still receiving new records (a producer is running).
 */
import { readRanges, topicOffsets } from '#checks/clients/kafka-read.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import { recordSchemas } from '#checks/record-schemas.js';
import type { Observation } from '#checks/types.js';
import { runningKitProcess } from '#core/process.js';

interface TopicRecords {
  topic: string;
  schema: string;
  keyField: string | undefined;
  keepsReceiving: boolean;
  /** How many of the newest records to validate. */
  sample: number;
  /**
   * keyField is one per event (rating_id): the same value twice among the newest records means two producers write
   * the topic, each continuing from the highest it saw. A warning, not a failure: the records are right.
   */
  uniqueKeys: boolean;
  /** The name of the kit's own background producer of this topic (solve starts it), for that warning. */
  kitProducer: string | undefined;
}

interface Memory {
  firstTotal?: bigint;
  sampled?: boolean;
  warning?: string;
}

/** The warning for key values seen more than once among the newest records, or nothing. */
export function repeatedKeysWarning(
  keys: string[],
  { topic, keyField, kitProducer }: Pick<TopicRecords, 'topic' | 'keyField' | 'kitProducer'>,
  kitPid: number | undefined,
): string | undefined {
  const seen = new Map<string, number>();
  for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([key]) => key);
  if (repeated.length === 0) return undefined;
  const shown = repeated.slice(0, 3).join(', ') + (repeated.length > 3 ? ` and ${repeated.length - 3} more` : '');
  const whose =
    kitProducer && kitPid
      ? `one is the kit's own (producer "${kitProducer}", pid ${kitPid}, started by npm run solve), so keep it and stop yours`
      : 'the kit started none, so they are yours';
  return `${keyField} ${shown} appear${repeated.length === 1 ? 's' : ''} more than once among the newest ${keys.length} records: more than one producer is writing to topic "${topic}" (each continues from the highest ${keyField} it saw); ${whose}. Keep one running and stop the others (Ctrl-C in its terminal)`;
}

export const topicRecords: ExpectationKind<TopicRecords> = {
  kind: 'topic-records',
  deadlineMs: 10_000,
  parse: (params) => {
    params.only(['topic', 'schema', 'keyField', 'keepsReceiving', 'sample', 'uniqueKeys', 'kitProducer']);
    const schema = params.string('schema');
    if (!recordSchemas[schema])
      throw new Error(`unknown schema "${schema}" (known: ${Object.keys(recordSchemas).join(', ')})`);
    return {
      topic: params.string('topic'),
      schema,
      keyField: params.optionalString('keyField'),
      keepsReceiving: params.boolean('keepsReceiving', false),
      sample: params.number('sample', 20),
      uniqueKeys: params.boolean('uniqueKeys', false),
      kitProducer: params.optionalString('kitProducer'),
    };
  },
  object: ({ topic }) => `topic "${topic}"`,
  expected: ({ schema, keyField, keepsReceiving }) =>
    [
      `records valid against the ${schema} schema`,
      keyField ? `keyed by ${keyField}` : undefined,
      keepsReceiving ? 'new records still arriving' : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  observe: async (params, { services }, memory: Memory): Promise<Observation> => {
    const { topic, keyField, keepsReceiving, sample } = params;
    const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
    if (!topics.includes(topic)) {
      const others = topics.filter((t) => !t.startsWith('_') && !t.startsWith('__'));
      return {
        // The step's own hint says how to produce to it.
        ...notYet(`no such topic; topics: ${others.join(', ') || 'none'}`),
        atDeadline: 'fail',
      };
    }
    const offsets = await topicOffsets(services, topic);
    const total = offsets.reduce((sum, o) => sum + (o.high - o.low), 0n);
    if (total === 0n) return { ...notYet('the topic is empty'), atDeadline: 'fail' };

    if (!memory.sampled) {
      // The newest records, spread over the partitions.
      const perPartition = BigInt(Math.max(1, Math.ceil(sample / offsets.length)));
      const records = await readRanges(
        services,
        topic,
        offsets.map((o) => ({
          partition: o.partition,
          from: o.high - perPartition > o.low ? o.high - perPartition : o.low,
          to: o.high,
        })),
        { timeoutMs: services.timeouts.requestMs * 2 },
      );
      const validate = recordSchemas[params.schema] ?? (() => []);
      for (const record of records) {
        const at = `record at partition ${record.partition}, offset ${record.offset}`;
        let value: unknown;
        try {
          value = record.value === null ? null : JSON.parse(record.value);
        } catch {
          return fail(`${at} is not JSON: ${record.value?.slice(0, 80)}`, 'send values as JSON (JSON.stringify)');
        }
        const problems = validate(value);
        if (problems.length > 0) return fail(`${at}: ${problems.join('; ')}`);
        if (keyField) {
          const expectedKey = String((value as Record<string, unknown>)[keyField]);
          if (record.key !== expectedKey) {
            return fail(
              `${at} has key ${record.key === null ? 'null' : JSON.stringify(record.key)}, its ${keyField} is ${expectedKey}`,
              `set each record's key to its ${keyField} as a string: { key: String(value.${keyField}), value: … }`,
            );
          }
        }
      }
      memory.sampled = true;
      memory.firstTotal = total;
      if (params.uniqueKeys && keyField) {
        const keys = records.flatMap((r) => (r.key === null ? [] : [r.key]));
        memory.warning = repeatedKeysWarning(
          keys,
          params,
          params.kitProducer ? runningKitProcess(params.kitProducer) : undefined,
        );
      }
      const warning = memory.warning ? { warning: memory.warning } : {};
      if (!keepsReceiving) return { ...pass(`${total} records; the newest ${records.length} are valid`), ...warning };
    }
    const warning = memory.warning ? { warning: memory.warning } : {};
    if (keepsReceiving) {
      const first = memory.firstTotal ?? total;
      if (total > first)
        return { ...pass(`${total} records, ${total - first} new while checking; the newest are valid`), ...warning };
      return {
        ...notYet(`${total} records, none new since the check began`),
        atDeadline: 'fail',
      };
    }
    return { ...pass(`${total} records`), ...warning };
  },
};
