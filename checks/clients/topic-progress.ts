/**
 * How far a processor (a Flink job, or any that reads a topic in order and writes another) has got, seen from the
 * topics alone: within each partition of its input it handles records in offset order, so the newest input record
 * whose id is in the output marks what it has processed, and the oldest marks where the judged stretch begins (the
 * output may have begun after the input did, or before the sample). Records between the two are the ones the output
 * must account for.
 */
import type { Observation } from '#checks/types.js';
import type { ReadRecord } from './kafka-read.js';
import { recordId } from './ksql-look.js';
import type { Services } from './services.js';

export function coveredByOutput(input: ReadRecord[], outputIds: Set<string>, id: string): ReadRecord[] {
  const covered: ReadRecord[] = [];
  const partitions = new Map<number, ReadRecord[]>();
  for (const record of input) partitions.set(record.partition, [...(partitions.get(record.partition) ?? []), record]);
  for (const records of partitions.values()) {
    records.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    const found = records.map((r) => outputIds.has(recordId(r, id) ?? ''));
    const first = found.indexOf(true);
    const last = found.lastIndexOf(true);
    if (first >= 0) covered.push(...records.slice(first, last + 1));
  }
  return covered;
}

/** The newest write time of a topic's records, or undefined when it has none. */
export function newestTime(records: ReadRecord[]): number | undefined {
  return records.length === 0 ? undefined : Math.max(...records.map((r) => r.timestamp));
}

/**
 * Before judging a processor by its topics: an input topic that does not exist is an earlier step's failure; an output
 * that does not exist yet may still be created by a job that is starting (not yet, then a failure at the deadline).
 */
export async function missingTopics(
  services: Services,
  inputs: string[],
  output: string,
): Promise<Observation | undefined> {
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  const input = inputs.find((t) => !topics.includes(t));
  if (input)
    return {
      outcome: 'fail',
      found: `topic ${input}, which it reads, does not exist`,
      hint: 'the step that writes it must pass first: npm run check',
    };
  if (!topics.includes(output))
    return { outcome: 'not-yet', found: `topic ${output} does not exist yet`, atDeadline: 'fail' };
  return undefined;
}
