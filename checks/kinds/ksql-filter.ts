/**
 * A ksqlDB query filters a source right, judged on the learner's own data and never by writing any: among the newest
 * records of the source that the query has processed (below its committed offsets), every one that meets the
 * conditions is in the output, and the output holds nothing that does not meet them.
 */

import {
  type Condition,
  describeConditions,
  holds,
  missingMessage,
  newestProcessingError,
  parseConditions,
  parseJson,
  processedByWriter,
  recordId,
  recordsSince,
  showColumns,
} from '#checks/clients/ksql-look.js';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { type ExpectationKind, fail, notYet, type Params, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

/** A filter's parameters, whatever runs it: ksqlDB's objects here, topics in topic-filter.ts. */
export interface FilterParams {
  source: string;
  output: string;
  /** The column that names a record in both (a value column, or the key). */
  id: string;
  where: Condition[];
  /** How many matching records must be there before the check can judge. */
  minimum: number;
  /** How many of the newest processed source records to judge. */
  sample: number;
}

export function parseFilter(params: Params): FilterParams {
  params.only(['source', 'output', 'id', 'where', 'minimum', 'sample']);
  return {
    source: params.string('source'),
    output: params.string('output'),
    id: params.string('id'),
    where: parseConditions(params),
    minimum: params.number('minimum', 5),
    sample: params.number('sample', 400),
  };
}

export const ksqlFilter: ExpectationKind<FilterParams> = {
  kind: 'ksql-filter',
  deadlineMs: 20_000,
  parse: parseFilter,
  judges: ({ output }) => output,
  object: ({ output }) => `records of ${output}`,
  expected: ({ source, where }) => `every record of ${source} with ${describeConditions(where)}, and no other`,
  observe: async (params, { services }): Promise<Observation> => {
    const client = new KsqlClient(services);
    const { output, where, id } = params;
    const conditions = describeConditions(where);
    const source = await client.describe(params.source);
    if (!source) return fail(await missingMessage(client, params.source));
    const judged = await processedByWriter(client, services, output, source.topic, params.sample);
    if (!('written' in judged)) return judged;
    const { written, input, since } = judged;
    const outputRecords = await recordsSince(services, written.source.topic, since);
    const wrong = outputRecords.find((r) => !where.every((c) => holds(parseJson(r.value), c)));
    const names = where.map((c) => c.column);
    if (wrong) {
      return fail(
        `${output} holds ${id} ${recordId(wrong, id)} with ${showColumns(parseJson(wrong.value), names)}, which is not ${conditions}`,
        `the WHERE clause must keep exactly the records with ${conditions}: drop ${output} (DELETE TOPIC) and create it again`,
      );
    }
    const matching = input.filter((r) => where.every((c) => holds(parseJson(r.value), c)));
    const present = new Set(outputRecords.map((r) => recordId(r, id)));
    const missing = matching.filter((r) => !present.has(recordId(r, id)));
    if (missing.length > 0) {
      const first = missing[0];
      const error = await newestProcessingError(client, services, written.queryId);
      const example = first
        ? `, e.g. ${id} ${recordId(first, id)} with ${showColumns(parseJson(first.value), names)}`
        : '';
      return fail(
        `${missing.length} of the ${matching.length} processed records of ${params.source} with ${conditions} are not in ${output}${example}${error ? `; ${error}` : ''}`,
        error
          ? `ksqlDB cannot read the records: declare ${params.source}'s key and value formats so they read its topic`
          : `the WHERE clause must keep every record with ${conditions}: drop ${output} (DELETE TOPIC) and create it again`,
      );
    }
    if (matching.length < params.minimum) {
      return notYet(
        `${matching.length} of the newest ${input.length} processed records have ${conditions}; judging needs ${params.minimum}`,
      );
    }
    return pass(
      `all ${matching.length} records with ${conditions} among the newest ${input.length} processed records of ${params.source} are there, and nothing else`,
    );
  },
};
