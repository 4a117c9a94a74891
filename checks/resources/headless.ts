/**
 * Step 15's headless ksqlDB server as solve and reset see it, and the start and stop `npm run headless` runs.
 * Starting (re)deploys: a server already running is stopped first, because the file is read only at start. The
 * start waits until every persistent query of the file runs (its consumer group has a live member) or the server
 * says why it stopped (a failing statement: ksqlDB's own message, from its log).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  composeRun,
  headlessFile,
  headlessFileShown,
  headlessLeftovers,
  headlessLogFile,
  headlessName,
  headlessQueries,
  headlessRunner,
  headlessServiceId,
  serverUp,
  startFailure,
} from '#checks/clients/headless.js';
import type { Services } from '#checks/clients/services.js';
import { createdObject, splitStatements } from '#checks/ksql-file.js';
import { EnvironmentError, TimeoutError, UsageError, WorkshopError } from '#core/errors.js';
import { kitPidFile, removePidFile, signalGroup } from '#core/process.js';
import { repoRoot } from '#core/state-dir.js';
import { formatSeconds, NotYet, waitFor } from '#core/wait.js';
import { spawnBackground, stopProducerProcess } from './background.js';
import { type Removal, type ResourceKind, shown, stepFile } from './resource.js';
import { deleteTopics } from './topics.js';

/** Output topics of the headless server start with this, so they never collide with the interactive server's. */
export const headlessTopicPrefix = 'headless_';

/** A persistent query of the file: the stream or table it creates, the topic it writes, the line it starts on. */
export interface FileQuery {
  name: string;
  topic: string;
  line: number;
}

/**
 * The persistent queries a queries file holds (CREATE … AS SELECT), each with its output topic. A query writing a
 * topic not named headless_… is refused: its default topic, or one the learner's interactive queries write, would
 * then be written by both servers.
 */
export function fileQueries(text: string, where = headlessFileShown): FileQuery[] {
  const queries: FileQuery[] = [];
  for (const statement of splitStatements(text, where)) {
    const created = createdObject(statement.text);
    if (!created?.asSelect) continue;
    const topic = /KAFKA_TOPIC\s*=\s*'([^']*)'/i.exec(statement.text)?.[1];
    if (!topic?.startsWith(headlessTopicPrefix)) {
      throw new UsageError(
        `${where}, line ${statement.line}: CREATE ${created.type} ${created.name} writes ${topic ? `topic ${topic}` : 'a topic named after it'}, which is not a headless_… topic: the interactive server's ${created.name} may write it too`,
        `give it a topic of its own: WITH (KAFKA_TOPIC = '${headlessTopicPrefix}${created.name.toLowerCase()}') … AS SELECT`,
      );
    }
    queries.push({ name: created.name, topic, line: statement.line });
  }
  return queries;
}

/** Reads the headless file and its queries, or says what to do when there is none. */
export function readHeadlessFile(file = headlessFile()): { text: string; queries: FileQuery[] } {
  if (!existsSync(file)) {
    throw new UsageError(
      `${shown(file)} does not exist: the headless server runs the statements of that file`,
      `write it as step 15's guide shows (or npm run solve step-15 writes the reference one), then npm run headless -- start`,
    );
  }
  const text = readFileSync(file, 'utf8');
  const queries = fileQueries(text, shown(file));
  if (queries.length === 0) {
    throw new UsageError(
      `${shown(file)} holds no persistent query (CREATE STREAM … AS SELECT): a headless server would run nothing`,
      "put steps 4-7's statements in it as the guide shows, then npm run headless -- start",
    );
  }
  return { text, queries };
}

/** Stops the headless server, wherever it runs; says what it did. */
export async function stopHeadless(services: Services): Promise<string[]> {
  const config = services.config;
  // ksqlDB closes its queries' Kafka Streams on Ctrl-C, which takes it some 14 s (seen on 8.0.7).
  if (config.headlessKsqldbHome) return stopProducerProcess(headlessName, 'headless ksqlDB server', 40_000);
  const answer = await composeRun(['rm', '--stop', '--force', headlessName], 60_000);
  // No Docker to ask (no engine, no compose plugin, no client: a platform that is not the compose one, such as the
  // kit's tests with a ksqlDB stand-in): then no compose service can run, and there is nothing to stop.
  const noDocker =
    answer.code === 127 ||
    /Cannot connect to the Docker daemon|is not a docker command|Run 'docker --help'|docker daemon running/i.test(
      answer.stderr,
    );
  if (noDocker) return [];
  if (answer.code !== 0) {
    throw new EnvironmentError(
      `docker compose could not stop ${headlessName}: ${answer.stderr.trim().split('\n').slice(-2).join(' ')}`,
      'check that Docker is running (npm run status), then run the same command again',
    );
  }
  return /Removed|Stopped/i.test(answer.stderr) ? [`headless ksqlDB server "${headlessName}" stopped`] : [];
}

export const headlessStartTimeoutMs = 180_000;
/** How long reset waits for a stopped server's members to leave its groups (their session is 10 s). */
const groupsEmptyTimeoutMs = 30_000;

/**
 * Starts the headless server on the file and waits until every query of it runs, or fails with the server's own
 * reason. Returns what runs.
 */
export async function startHeadless(
  services: Services,
  file = headlessFile(),
): Promise<{ lines: string[]; queries: FileQuery[] }> {
  const { queries } = readHeadlessFile(file);
  const runner = headlessRunner(services.config);
  const lines = await stopHeadless(services);
  const started = Date.now();
  let pid: number | undefined;
  if (services.config.headlessKsqldbHome) {
    // A fresh log: a failure of an earlier start must not be taken for this one's.
    rmSync(headlessLogFile(), { force: true });
    const { child } = spawnBackground(headlessName, ['headless', 'serve']);
    pid = child.pid;
  } else {
    const answer = await composeRun(['up', '--detach', '--force-recreate', headlessName], 180_000);
    if (answer.code !== 0) {
      throw new EnvironmentError(
        `docker compose could not start ${headlessName}: ${answer.stderr.trim().split('\n').slice(-3).join(' ')}`,
        'check that the platform is up (npm run status), then run the same command again',
      );
    }
  }
  let failure: string | undefined;
  try {
    await waitFor({
      what: `the headless ksqlDB server to run the ${queries.length} queries of ${shown(file)}`,
      timeoutMs: headlessStartTimeoutMs,
      intervalMs: 1_000,
      probe: async () => {
        // The server's own reason ends the wait at once: a failing statement stops it at start.
        const log = await runner.log();
        failure = startFailure(log);
        if (failure) throw new WorkshopError(`it stopped at start: ${failure}`);
        // Live members alone do not say this run is up: Kafka Streams does not leave its groups when it stops, so
        // the members of a server stopped a moment ago stay until their session times out.
        const live = (await headlessQueries(services)).filter((q) => q.members > 0);
        const waiting = queries.filter((q) => !live.some((l) => l.sink === q.name));
        if (waiting.length === 0 && serverUp(log)) return live;
        if ((await runner.running()) === false) {
          // It may have logged its reason and stopped since the log was read.
          failure = startFailure(await runner.log());
          if (failure) throw new WorkshopError(`it stopped at start: ${failure}`);
          throw new WorkshopError(`the headless ksqlDB server stopped at start; its log: ${runner.logCommand}`);
        }
        return new NotYet(
          waiting.length > 0
            ? `waiting for ${waiting.map((q) => q.name).join(', ')}`
            : 'waiting for the server to be up',
        );
      },
    });
  } catch (error) {
    // A server that did not come up is stopped, not left half-running behind the learner's back.
    if (pid) signalGroup(pid, 'SIGKILL');
    removePidFile(kitPidFile(headlessName));
    if (!services.config.headlessKsqldbHome) await stopHeadless(services).catch(() => undefined);
    if (failure) {
      throw new WorkshopError(
        `the headless ksqlDB server stopped at start: a statement of ${shown(file)} failed. ksqlDB says: ${failure}`,
        `mend that statement in ${shown(file)} (try its SELECT … EMIT CHANGES LIMIT 5 in npm run ksql first), then npm run headless -- start`,
      );
    }
    if (error instanceof TimeoutError) {
      throw new EnvironmentError(
        `${error.message} (the server is stopped again)`,
        `its log says why: ${runner.logCommand}; then npm run headless -- start`,
      );
    }
    throw error;
  }
  lines.push(
    `headless ksqlDB server started (${runner.where}, service id ${headlessServiceId}) in ${formatSeconds(Date.now() - started)}: ${queries.length} queries of ${shown(file)} running`,
  );
  return { lines, queries };
}

/** The headless server with the reference file: what solve starts and reset stops and clears. */
export interface HeadlessResource {
  kind: 'ksql-headless';
  /** The reference queries file (solve copies it to headless/queries.sql). */
  file: string;
}

export const headlessResource: ResourceKind<HeadlessResource> = {
  kind: 'ksql-headless',
  service: 'ksqlDB',
  fields: ['file'],
  parse: (params, where, folder) => {
    const file = stepFile(params, 'file', where, folder);
    fileQueries(readFileSync(file, 'utf8'), shown(file));
    return { file };
  },
  describe: (resource) => {
    const topics = fileQueries(readFileSync(resource.file, 'utf8')).map((q) => q.topic);
    return `the headless ksqlDB server (stopped), its topics ${topics.join(', ')} and its internal topics and consumer groups; ${headlessFileShown} stays`;
  },
  apply: async (services, resource) => {
    const target = headlessFile();
    const reference = readFileSync(resource.file, 'utf8');
    const lines: string[] = [];
    if (existsSync(target) && readFileSync(target, 'utf8') !== reference) {
      const kept = `${target}.yours`;
      copyFileSync(target, kept);
      lines.push(`${headlessFileShown}: yours kept as ${path.relative(repoRoot, kept)}`);
    }
    if (!existsSync(target) || readFileSync(target, 'utf8') !== reference) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, reference);
      lines.push(`${headlessFileShown}: written from ${shown(resource.file)}`);
    }
    // Already running this file, every query live: left alone.
    const runner = headlessRunner(services.config);
    const queries = fileQueries(reference);
    const live = (await headlessQueries(services)).filter((q) => q.members > 0);
    if (lines.length === 0 && (await runner.running()) && queries.every((q) => live.some((l) => l.sink === q.name))) {
      return [`headless ksqlDB server: already running ${headlessFileShown}, left alone`];
    }
    const started = await startHeadless(services, target);
    return [...lines, ...started.lines];
  },
  remove: async (services, resource) => {
    const done: Removal[] = await stopHeadless(services);
    const outputs = fileQueries(readFileSync(resource.file, 'utf8')).map((q) => q.topic);
    // The learner's own file may name more topics; any headless_… topic is the headless server's.
    const topics = (await services.withKafkaAdmin((admin) => admin.listTopics())).filter(
      (t) => outputs.includes(t) || t.startsWith(headlessTopicPrefix),
    );
    const leftovers = await headlessLeftovers(services);
    await deleteTopics(services, [...topics, ...leftovers.topics]);
    for (const topic of [...topics, ...leftovers.topics]) done.push(`topic "${topic}" deleted`);
    if (leftovers.groups.length > 0) {
      // A stopped server's members stay in its groups until their session times out (10 s, as the kit starts it).
      let busy: string[] = [];
      await waitFor({
        what: `the headless server's consumer groups to have no members`,
        timeoutMs: groupsEmptyTimeoutMs,
        intervalMs: 1_000,
        probe: async () => {
          busy = (await headlessQueries(services)).filter((q) => q.members > 0).map((q) => q.group);
          return busy.length === 0 ? true : new NotYet(`${busy.length} still have members`);
        },
      }).catch(() => undefined);
      const empty = leftovers.groups.filter((g) => !busy.includes(g));
      if (empty.length > 0) {
        await services.withKafkaAdmin((admin) => admin.deleteGroups(empty));
        done.push(`${empty.length} consumer groups of service id ${headlessServiceId} deleted`);
      }
      if (busy.length > 0) {
        done.push({
          warning: `consumer group${busy.length === 1 ? '' : 's'} ${busy.join(', ')} still ${busy.length === 1 ? 'has' : 'have'} live members after ${groupsEmptyTimeoutMs / 1000} s: a headless server the kit did not start runs with service id ${headlessServiceId}; stop it`,
        });
      }
    }
    return done;
  },
};
