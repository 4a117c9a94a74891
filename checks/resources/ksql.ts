/**
 * What solve applies and reset removes in ksqlDB: the statements of a solution file. Solve leaves an object that is
 * already right (the step's own checks of it do not fail) and replaces one that is wrong; reset terminates the
 * queries and drops the objects, dependents first, deleting the topics that queries wrote (never a topic an object
 * only reads, such as "ratings").
 */
import { readFileSync } from 'node:fs';
import {
  KsqlClient,
  oneLine,
  quoteIdentifier,
  type SourceDescription,
  statementTimeoutMs,
} from '#checks/clients/ksqldb.js';
import { registryMessage } from '#checks/clients/schema-registry-look.js';
import type { Services } from '#checks/clients/services.js';
import { createdObject, splitStatements } from '#checks/ksql-file.js';
import { TimeoutError, WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import { judgedRight } from './judged.js';
import { type ResourceKind, type StepOfResource, shown, stepFile } from './resource.js';
import { topicsGone } from './topics.js';

export function readKsqlFile(file: string, shownAs: string) {
  return splitStatements(readFileSync(file, 'utf8'), shownAs);
}

/** The objects a file creates, in its order. */
export function objectsOf(file: string, shownAs: string) {
  return readKsqlFile(file, shownAs).flatMap((s) => {
    const created = createdObject(s.text);
    return created ? [created] : [];
  });
}

/**
 * Drops an object and, first, every object a query makes from it (recursively): a source cannot be dropped while a
 * query reads it. Topics that queries wrote go with their objects.
 */
export async function dropWithDependents(client: KsqlClient, name: string, done: string[] = []): Promise<string[]> {
  const source = await client.describe(name, true);
  if (!source) return done;
  // What is made from it: the sinks of the queries that read it, and the objects declared on it whose queries may
  // be gone (ksqlDB still refuses to drop a source while they exist).
  const dependents = new Set(source.sourceConstraints ?? []);
  const running = await client.queries();
  for (const reader of source.readQueries) {
    for (const sink of running.find((q) => q.id === reader.id)?.sinks ?? []) dependents.add(sink);
  }
  dependents.delete(name);
  for (const dependent of dependents) await dropWithDependents(client, dependent, done);
  // Readers without a sink of their own (INSERT INTO another stream) still hold the source.
  const queries = await client.queries();
  for (const reader of source.readQueries) {
    if (queries.some((q) => q.id === reader.id)) {
      await client.statement(`TERMINATE ${reader.id};`);
      done.push(`query ${reader.id} terminated (it read ${name})`);
    }
  }
  for (const writer of source.writeQueries) {
    if (queries.some((q) => q.id === writer.id)) await client.statement(`TERMINATE ${writer.id};`);
  }
  const wroteItsTopic = source.writeQueries.length > 0 || createdObject(source.statement ?? '')?.asSelect === true;
  const drop = `DROP ${source.type} IF EXISTS ${quoteIdentifier(name)}${wroteItsTopic ? ' DELETE TOPIC' : ''};`;
  try {
    await client.statement(drop);
  } catch (error) {
    // DROP … DELETE TOPIC soft-deletes the topic's Schema Registry subjects, and ksqlDB refuses the drop when one is
    // soft-deleted already ("was soft deleted", 40404): by hand, or by a retry of ksqlDB's own after a slow answer.
    // The subject is on its way out anyway: delete it for good, then drop again.
    const subject = /Subject '([^']+)' was soft deleted/.exec(error instanceof Error ? error.message : '')?.[1];
    if (!subject) throw error;
    const hard = await client.services.schemaRegistry<{ message?: string }>(
      `/subjects/${encodeURIComponent(subject)}?permanent=true`,
      { method: 'DELETE' },
    );
    if (hard.status !== 200 && hard.status !== 404) {
      throw new WorkshopError(
        `ksqlDB cannot drop ${name} while subject "${subject}" is soft-deleted, and the Schema Registry refused to delete it for good: ${registryMessage(hard.body, hard.status)}`,
        `delete it yourself: curl -X DELETE '${client.services.config.schemaRegistryUrl}/subjects/${subject}?permanent=true', then run the same command again`,
      );
    }
    done.push(`Schema Registry subject "${subject}" was soft-deleted already: deleted for good so ${name} could go`);
    await client.statement(drop);
  }
  // ksqlDB deletes the topic after it answers: reset returns only once Kafka no longer lists it, and once the
  // queries it stopped are no longer listed, so that a solve right after meets nothing half-gone.
  if (wroteItsTopic) await topicsGone(client.services, [source.topic]);
  const stopped = [...source.readQueries, ...source.writeQueries].map((q) => q.id);
  if (stopped.length > 0) {
    await waitFor({
      what: `ksqlDB to stop listing ${stopped.join(', ')}`,
      timeoutMs: statementTimeoutMs,
      intervalMs: 200,
      probe: async () => {
        const left = (await client.queries()).filter((q) => stopped.includes(q.id));
        return left.length === 0 ? true : new NotYet(`still listed: ${left.map((q) => q.id).join(', ')}`);
      },
    });
  }
  done.push(
    `ksqlDB ${source.type.toLowerCase()} ${name} dropped${wroteItsTopic ? ` with its topic "${source.topic}"` : ` (its topic "${source.topic}" stays)`}`,
  );
  return done;
}

/** Runs a solution file: creates what is missing, leaves what is right, replaces what is wrong. */
export async function applyKsqlFile(
  services: Services,
  file: string,
  shownAs: string,
  step: StepOfResource,
): Promise<string[]> {
  const client = new KsqlClient(services);
  const lines: string[] = [];
  for (const statement of readKsqlFile(file, shownAs)) {
    const created = createdObject(statement.text);
    if (!created) {
      await client.statement(statement.text, statement.properties);
      lines.push(`ran ${oneLine(statement.text, 60)}`);
      continue;
    }
    const label = `ksqlDB ${created.type.toLowerCase()} ${created.name}`;
    const existing: SourceDescription | undefined = await client.describe(created.name);
    if (existing) {
      // An object no check judges (a stream a guide makes to look at the data) is right when it is there.
      const right = existing.type === created.type ? await judgedRight(services, step, created.name, 'ksqlDB') : false;
      if (right !== false) {
        lines.push(`${label}: already there${right ? ' and its check finds nothing wrong' : ''}, left unchanged`);
        continue;
      }
      for (const line of await dropWithDependents(client, created.name)) lines.push(`${line} (to replace it)`);
    }
    await topicToRead(services, statement.text, label);
    await client.statement(statement.text, statement.properties);
    lines.push(`${label}: ${existing ? 'replaced' : 'created'} from ${shownAs}`);
  }
  return lines;
}

/**
 * A stream or table declared on an existing topic (no AS SELECT, no PARTITIONS) needs that topic: when solve catches up
 * several steps at once, the connector of an earlier step may not have written it yet. Waits for it, a while.
 */
async function topicToRead(services: Services, statement: string, label: string): Promise<void> {
  const topic = /KAFKA_TOPIC\s*=\s*'([^']+)'/i.exec(statement)?.[1];
  if (!topic || /\bAS\s+SELECT\b/i.test(statement) || /\bPARTITIONS\s*=/i.test(statement)) return;
  try {
    await waitFor({
      what: `topic "${topic}"`,
      timeoutMs: 90_000,
      intervalMs: 500,
      probe: async () =>
        (await services.withKafkaAdmin((admin) => admin.listTopics())).includes(topic) ? true : new NotYet('absent'),
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new WorkshopError(
      `${label} reads topic "${topic}", which did not appear within 90 s: the earlier step that writes it is not working`,
      'npm run check shows which step; fix it, then run the same solve again',
    );
  }
}

/** Drops what a solution file creates, latest first, with what depends on it. */
export async function removeKsqlFile(services: Services, file: string, shownAs: string): Promise<string[]> {
  const client = new KsqlClient(services);
  const done: string[] = [];
  for (const created of objectsOf(file, shownAs).reverse()) await dropWithDependents(client, created.name, done);
  return done;
}

/** For a clean start: every stream, table and persistent query of the learner's (ksqlDB's processing log stays). */
export async function removeAllKsqlObjects(services: Services): Promise<string[]> {
  const client = new KsqlClient(services);
  const done: string[] = [];
  for (const source of await client.sources()) await dropWithDependents(client, source.name, done);
  for (const query of await client.queries()) {
    await client.statement(`TERMINATE ${query.id};`);
    done.push(`query ${query.id} terminated`);
  }
  return done;
}

/** ksqlDB statements, run in order; the streams and tables they create are the step's. */
export interface KsqlResource {
  kind: 'ksql';
  file: string;
}

export const ksqlResource: ResourceKind<KsqlResource> = {
  kind: 'ksql',
  service: 'ksqlDB',
  fields: ['file'],
  parse: (params, where, folder) => ({ file: stepFile(params, 'file', where, folder) }),
  describe: (resource) =>
    objectsOf(resource.file, shown(resource.file))
      .map((o) => `ksqlDB ${o.type.toLowerCase()} ${o.name}${o.asSelect ? ' with its query and topic' : ''}`)
      .join(', '),
  apply: (services, resource, { step }) => applyKsqlFile(services, resource.file, shown(resource.file), step),
  remove: (services, resource) => removeKsqlFile(services, resource.file, shown(resource.file)),
};
