/**
 * A headless ksqlDB server runs a queries file: its file holds each persistent query the step names, the server is
 * running every one of them (a live consumer group of its service id per query), it refuses interactive statements
 * where the kit knows its address, and the interactive server runs none of them (the file given to the CLI instead).
 * A server that stopped at start is judged by its own log: ksqlDB's message about the statement that failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  headlessFileShown,
  headlessQueries,
  headlessRunner,
  headlessServiceId,
  serverUp,
  startFailure,
  tryInteractive,
} from '#checks/clients/headless.js';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import { fileQueries, headlessTopicPrefix } from '#checks/resources/headless.js';
import type { Observation } from '#checks/types.js';
import { UsageError } from '#core/errors.js';
import { repoPath } from '#core/state-dir.js';

interface WantedQuery {
  /** The stream or table the query creates. */
  name: string;
  /** Where its statement comes from, in the learner's words ("step 4"). */
  from: string;
}

interface KsqlHeadless {
  file: string;
  queries: WantedQuery[];
}

const restart = 'npm run headless -- start (it reads the file only at start)';

export const ksqlHeadless: ExpectationKind<KsqlHeadless> = {
  kind: 'ksql-headless',
  deadlineMs: 30_000,
  parse: (params) => {
    params.only(['file', 'queries']);
    return {
      file: params.optionalString('file') ?? headlessFileShown,
      queries: params.mappings('queries').map((q) => {
        q.only(['name', 'from']);
        return { name: q.string('name'), from: q.string('from') };
      }),
    };
  },
  object: () => `the headless ksqlDB server (service id ${headlessServiceId})`,
  expected: ({ file, queries }) =>
    `running every query of ${file} (${queries.map((q) => q.name).join(', ')}), refusing interactive statements`,
  observe: async ({ file, queries }, { services }): Promise<Observation> => {
    // The file given to the interactive server: its queries write the headless topics from there.
    const interactive = (await new KsqlClient(services).queries()).filter((q) =>
      q.sinkKafkaTopics.some((t) => t.startsWith(headlessTopicPrefix)),
    );
    if (interactive.length > 0) {
      const q = interactive[0];
      return fail(
        `the interactive ksqlDB server runs ${interactive.length} quer${interactive.length === 1 ? 'y' : 'ies'} writing headless topics, e.g. ${q?.id} writing ${q?.sinkKafkaTopics.join(', ')}: ${file} was given to the interactive server, not deployed`,
        `drop them in the interactive server (DROP STREAM ${q?.sinks[0]} DELETE TOPIC; and the others, or npm run reset step-4 and npm run solve step-7), then ${restart}`,
      );
    }
    const path = repoPath(file);
    if (!existsSync(path)) {
      return fail(`${file} does not exist`, `write it as the guide shows, then ${restart}`);
    }
    let inFile: ReturnType<typeof fileQueries>;
    try {
      inFile = fileQueries(readFileSync(path, 'utf8'), file);
    } catch (error) {
      if (error instanceof UsageError) return fail(error.message, error.hint);
      throw error;
    }
    const leftOut = queries.filter((q) => !inFile.some((f) => f.name === q.name));
    if (leftOut.length > 0) {
      return fail(
        `${file} leaves out ${leftOut.map((q) => `${q.from}'s ${q.name}`).join(' and ')}: it has ${inFile.length > 0 ? inFile.map((f) => f.name).join(', ') : 'no persistent query'}`,
        `add ${leftOut.length === 1 ? 'its statement' : 'their statements'} (with KAFKA_TOPIC = '${headlessTopicPrefix}…'), then ${restart}`,
      );
    }
    const runner = headlessRunner(services.config);
    const running = await runner.running();
    if (running === false) {
      const failure = startFailure(await runner.log());
      if (failure) {
        return fail(
          `it stopped at start, on a statement of ${file}. ksqlDB says: ${failure}`,
          `mend that statement (try its SELECT … EMIT CHANGES LIMIT 5 in npm run ksql first), then ${restart}`,
        );
      }
      return fail(
        `it is not running (${runner.where})`,
        `start it: ${restart}. npm run ksql -- -f ${file} would give the file to the interactive server instead`,
      );
    }
    if (running === undefined) {
      return {
        ...notYet(`Docker did not say whether ${runner.where} runs`),
        hint: 'check that Docker is running (npm run status)',
        atDeadline: 'environment-error',
      };
    }
    const log = await runner.log();
    if (!serverUp(log)) return { ...notYet('it is still starting'), atDeadline: 'fail' };
    const live = await headlessQueries(services);
    const missing: string[] = [];
    for (const q of queries) {
      const group = live.find((l) => l.sink === q.name && l.members > 0);
      if (group) continue;
      const idle = live.find((l) => l.sink === q.name);
      if (idle && (idle.state === 'PreparingRebalance' || idle.state === 'CompletingRebalance')) {
        return { ...notYet(`the query writing ${q.name} is joining its group (${idle.state})`), atDeadline: 'fail' };
      }
      if (idle) {
        return fail(
          `its query ${idle.queryId}, writing ${q.name}, has no live member (group ${idle.state}): the query stopped`,
          `its log says why: ${runner.logCommand}; then ${restart}`,
        );
      }
      missing.push(q.name);
    }
    const listener = runner.listener();
    let refusal = '';
    if (listener) {
      const answer = await tryInteractive(listener);
      if (answer !== 'refused') {
        return fail(
          `its address ${listener} answered an interactive statement (${answer.answered}): it is not running headless`,
          `it must be started with ksql.queries.file set: ${restart}`,
        );
      }
      refusal = `; ${listener} refuses interactive statements`;
    }
    const shown = queries.map((q) => live.find((l) => l.sink === q.name && l.members > 0)?.queryId).join(', ');
    return pass(`running ${queries.length} queries of ${file} (${shown})${refusal}`);
  },
};
