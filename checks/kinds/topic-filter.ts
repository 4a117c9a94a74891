/**
 * A filter is right, judged from its input and output topics alone (the Flink variant of step 4; any engine): the
 * output holds only records that meet the conditions, and within the stretch of the input it has processed (see
 * topic-progress.ts) every record that meets them.
 */
import { type ReadRecord, readNewest } from '#checks/clients/kafka-read.js';
import {
  type Condition,
  describeConditions,
  holds,
  parseJson,
  recordId,
  showColumns,
} from '#checks/clients/ksql-look.js';
import { coveredByOutput, missingTopics } from '#checks/clients/topic-progress.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { type FilterParams, parseFilter } from './ksql-filter.js';

export const topicFilter: ExpectationKind<FilterParams> = {
  kind: 'topic-filter',
  deadlineMs: 20_000,
  parse: parseFilter,
  // The course names each Flink table after the topic it writes: solve asks by that name.
  judges: ({ output }) => output,
  object: ({ output }) => `records of topic ${output}`,
  expected: ({ source, where }) => `every record of ${source} with ${describeConditions(where)}, and no other`,
  observe: async (params, { services }): Promise<Observation> => {
    const { source, output, id, where } = params;
    const conditions = describeConditions(where);
    const names = where.map((c) => c.column);
    const absent = await missingTopics(services, [source], output);
    if (absent && absent.outcome === 'fail') return absent;
    // An output topic not made yet is an output with no records: nothing has been written to it.
    const [input, written] = await Promise.all([
      readNewest(services, source, params.sample),
      absent ? Promise.resolve([]) : readNewest(services, output, params.sample),
    ]);
    if (written.length === 0) return emptyOutput(input, where, source, output);
    const wrong = written.find((r) => !where.every((c) => holds(parseJson(r.value), c)));
    if (wrong) {
      return fail(
        `${output} holds ${id} ${recordId(wrong, id)} with ${showColumns(parseJson(wrong.value), names)}, which is not ${conditions}`,
      );
    }
    const present = new Set(written.map((r) => recordId(r, id) ?? ''));
    const covered = coveredByOutput(input, present, id);
    if (covered.length === 0)
      return notYet(`none of the newest ${input.length} records of ${source} is in ${output} yet`);
    const matching = covered.filter((r) => where.every((c) => holds(parseJson(r.value), c)));
    const missing = matching.filter((r) => !present.has(recordId(r, id) ?? ''));
    const first = missing[0];
    if (first) {
      return fail(
        `${output} lacks ${missing.length} of the ${matching.length} records of ${source} with ${conditions} in the stretch it has processed, e.g. ${id} ${recordId(first, id)} with ${showColumns(parseJson(first.value), names)}`,
      );
    }
    if (matching.length < params.minimum) {
      return notYet(
        `${matching.length} processed records of ${source} have ${conditions}; judging needs ${params.minimum}`,
      );
    }
    return pass(
      `all ${matching.length} records with ${conditions} among ${covered.length} processed records of ${source} are there, and nothing else`,
    );
  },
};

/**
 * An output with no record yet: not yet, while its processor may still be starting; a failure at the deadline, saying
 * how many input records should have come through.
 */
function emptyOutput(input: ReadRecord[], where: Condition[], source: string, output: string): Observation {
  const matching = input.filter((r) => where.every((c) => holds(parseJson(r.value), c)));
  if (matching.length === 0)
    return notYet(`topic ${output} has no records yet, nor has ${source} any with ${describeConditions(where)}`);
  return {
    ...notYet(
      `topic ${output} has no records, though ${matching.length} of the newest ${input.length} records of ${source} have ${describeConditions(where)}`,
    ),
    atDeadline: 'fail',
  };
}
