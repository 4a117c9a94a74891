/**
 * What solve applies and reset removes in Flink SQL: the statements of a solution file. A table is declared in the
 * kit's Flink session store (flink-declarations.ts) unless an equal one is there and its checks pass; an INSERT is
 * submitted as a job unless a job already writes its table and the step's checks of that table find nothing wrong
 * (otherwise the old jobs are stopped and the table's topic emptied first, so no wrong record stays to be judged).
 * Reset stops the jobs writing the file's tables, deletes the topics those jobs wrote (never a topic a table only
 * reads, such as "ratings") and forgets the file's tables and settings.
 */
import { readFileSync } from 'node:fs';
import {
  declarationChange,
  openDeclaredSession,
  readDeclarations,
  rememberDeclaration,
  writeDeclarations,
} from '#checks/clients/flink-declarations.js';
import { declaredTables, flinkJobs, jobFailure, jobsWriting } from '#checks/clients/flink-look.js';
import { type FlinkSqlSession, forThisFlink } from '#checks/clients/flink-sql.js';
import { oneLine } from '#checks/clients/ksqldb.js';
import type { Services } from '#checks/clients/services.js';
import { splitSql } from '#checks/sql-text.js';
import { EnvironmentError, TimeoutError, WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import { judgedRight } from './judged.js';
import { type ResourceKind, type StepOfResource, shown, stepFile } from './resource.js';
import { deleteTopics } from './topics.js';

/** The statements of a Flink SQL file, without their closing semicolons (the gateway takes them so). */
export function readFlinkFile(file: string): { text: string; line: number }[] {
  return splitSql(readFileSync(file, 'utf8'), shown(file), 'Flink').map((s) => ({
    text: s.text.replace(/;\s*$/, ''),
    line: s.line,
  }));
}

/** The table an `INSERT INTO` writes, or undefined for any other statement. */
export function insertTarget(statement: string): string | undefined {
  const match = /^INSERT\s+(?:INTO|OVERWRITE)\s+(?:`[^`]+`\.)*(`(?:[^`]|``)+`|[A-Za-z_][\w$]*)/i.exec(statement.trim());
  if (!match) return undefined;
  const name = match[1] as string;
  return name.startsWith('`') ? name.slice(1, -1) : name;
}

/** What a file declares and which of its tables its INSERTs write. */
function fileObjects(file: string) {
  const statements = readFlinkFile(file);
  const tables = statements.flatMap((s) => {
    const change = declarationChange(s.text);
    return change?.change === 'create' ? [change.name] : [];
  });
  const written = statements.flatMap((s) => {
    const target = insertTarget(s.text);
    return target ? [target] : [];
  });
  const settings = statements.flatMap((s) => {
    const change = declarationChange(s.text);
    return change?.change === 'set' ? [change.key] : [];
  });
  return { statements, tables, written, settings };
}

/** Stops every running job that writes a table and waits until none runs; says what it stopped. */
async function stopJobsWriting(services: Services, session: FlinkSqlSession, table: string): Promise<string[]> {
  const running = (await jobsWriting(services, table)).filter((j) => j.state === 'RUNNING');
  for (const job of running) await session.run(`STOP JOB '${job.jid}'`);
  if (running.length > 0) {
    await waitFor({
      what: `Flink to stop the jobs writing ${table}`,
      timeoutMs: 60_000,
      intervalMs: 300,
      probe: async () => {
        const left = (await jobsWriting(services, table)).filter(
          (j) =>
            running.some((r) => r.jid === j.jid) &&
            j.state !== 'CANCELED' &&
            j.state !== 'FINISHED' &&
            j.state !== 'FAILED',
        );
        return left.length === 0 ? true : new NotYet(`${left.map((j) => `${j.jid} ${j.state}`).join(', ')}`);
      },
    });
  }
  return running.map((j) => `Flink job ${j.jid} writing ${table} stopped`);
}

/** Deletes a topic if Kafka has it (a job that never wrote left none); whether it did. */
async function deleteIfThere(services: Services, topic: string): Promise<boolean> {
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic)) return false;
  await deleteTopics(services, [topic]);
  return true;
}

/** The topic a declared table reads and writes. */
function topicOf(table: string): string | undefined {
  return declaredTables().find((t) => t.name === table)?.options.topic;
}

/** Waits until a job writing `table` runs (a job that failed at once is reported with the cluster's state). */
async function jobRunning(services: Services, table: string, jobId: string | undefined): Promise<void> {
  try {
    await waitFor({
      what: `the Flink job writing ${table} to run`,
      timeoutMs: 60_000,
      intervalMs: 300,
      probe: async () => {
        const jobs = await jobsWriting(services, table);
        const job = jobs.find((j) => j.jid === jobId) ?? jobs[0];
        if (job?.state === 'RUNNING') return true;
        if (job?.state === 'FAILED') {
          const why = await jobFailure(services, job.jid);
          throw new WorkshopError(
            `the Flink job writing ${table} failed at once${why ? `: ${why}` : ''}`,
            'npm run check shows what else is wrong',
          );
        }
        return new NotYet(job ? job.state : 'no job yet');
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new EnvironmentError(
      `the Flink job writing ${table} did not run within 60 s`,
      'see the Flink web UI (npm run status shows its address)',
    );
  }
}

export async function applyFlinkFile(services: Services, file: string, step: StepOfResource): Promise<string[]> {
  services.requirePresent('Flink SQL Gateway');
  const lines: string[] = [];
  const session = await openDeclaredSession(services, { onWarning: (warning) => lines.push(`warning: ${warning}`) });
  let told = false;
  try {
    for (const statement of readFlinkFile(file)) {
      const adapted = forThisFlink(statement.text, services.config.flinkKafkaBootstrapServers);
      if (adapted.changed && !told) {
        told = true;
        lines.push(`${shown(file)} changed for this platform (the file stays as written): ${adapted.changed}`);
      }
      const sql = adapted.text;
      const change = declarationChange(sql);
      const target = insertTarget(sql);
      if (change?.change === 'create') {
        // A declaration is only the table's description: declared again, it changes nothing that runs. Said as
        // "left unchanged" when Flink states it as it was.
        const before = declaredTables().find((t) => t.name === change.name)?.ddl;
        if (before) await session.run(`DROP TABLE IF EXISTS \`${change.name}\``);
        await session.run(sql);
        await rememberDeclaration(session, sql);
        const after = declaredTables().find((t) => t.name === change.name)?.ddl;
        lines.push(
          before === after
            ? `Flink table ${change.name}: already declared as in ${shown(file)}, left unchanged`
            : `Flink table ${change.name}: ${before ? 'declared again' : 'declared'} from ${shown(file)}`,
        );
      } else if (target) {
        const writers = await jobsWriting(services, target);
        const jobs = writers.filter((j) => j.state === 'RUNNING');
        if (jobs.length === 1 && (await judgedRight(services, step, target, 'Flink')) !== false) {
          lines.push(`Flink job writing ${target}: already RUNNING and its checks find nothing wrong, left alone`);
          continue;
        }
        lines.push(...(await stopJobsWriting(services, session, target)));
        // An old job's records (running, failed or cancelled) would be judged with the new job's: emptied. A topic no
        // job of this cluster wrote (another engine's) is left as it is.
        const topic = topicOf(target);
        if (writers.length > 0 && topic && (await deleteIfThere(services, topic))) {
          lines.push(`topic "${topic}" deleted (the old job's records in it)`);
        }
        const { rows } = await session.run(sql);
        const jobId = typeof rows[0]?.fields[0] === 'string' ? (rows[0].fields[0] as string) : undefined;
        await jobRunning(services, target, jobId);
        lines.push(`Flink job ${jobId ?? ''} writing ${target}: submitted from ${shown(file)}, RUNNING`);
      } else {
        await session.run(sql);
        await rememberDeclaration(session, sql);
        lines.push(`ran ${oneLine(sql, 60)}`);
      }
    }
  } finally {
    await session.close();
  }
  return lines;
}

export async function removeFlinkFile(services: Services, file: string): Promise<string[]> {
  const { tables, written, settings } = fileObjects(file);
  const done: string[] = [];
  const session = await openDeclaredSession(services);
  try {
    for (const table of written) {
      done.push(...(await stopJobsWriting(services, session, table)));
      const topic = topicOf(table);
      if (topic && (await deleteIfThere(services, topic))) {
        done.push(`topic "${topic}" deleted (written by the job of ${table})`);
      }
    }
  } finally {
    await session.close();
  }
  const declarations = readDeclarations();
  const forgotten = declarations.objects.filter((o) => tables.includes(o.name)).map((o) => o.name);
  declarations.objects = declarations.objects.filter((o) => !tables.includes(o.name));
  for (const key of settings) delete declarations.settings[key];
  writeDeclarations(declarations);
  for (const name of forgotten) done.push(`Flink table ${name} forgotten`);
  return done;
}

/** For a clean start: every running Flink job stopped, every table and setting forgotten. */
export async function removeAllFlinkObjects(services: Services): Promise<string[]> {
  const done: string[] = [];
  const running = (await flinkJobs(services)).filter((j) => j.state === 'RUNNING');
  if (running.length > 0) {
    const session = await openDeclaredSession(services);
    try {
      for (const job of running) {
        await session.run(`STOP JOB '${job.jid}'`);
        done.push(`Flink job ${job.jid} (${job.name}) stopped`);
      }
    } finally {
      await session.close();
    }
  }
  const declarations = readDeclarations();
  for (const object of declarations.objects) done.push(`Flink ${object.kind.toLowerCase()} ${object.name} forgotten`);
  writeDeclarations({ settings: {}, objects: [] });
  return done;
}

/** Flink SQL statements, run in order; the tables they declare and the jobs their INSERTs start are the step's. */
export interface FlinkResource {
  kind: 'flink';
  file: string;
}

export const flinkResource: ResourceKind<FlinkResource> = {
  kind: 'flink',
  service: 'Flink SQL Gateway',
  fields: ['file'],
  parse: (params, where, folder) => ({ file: stepFile(params, 'file', where, folder) }),
  describe: (resource) => {
    const { tables, written } = fileObjects(resource.file);
    return tables
      .map((t) => `Flink table ${t}${written.includes(t) ? ' with the job writing it and its topic' : ''}`)
      .join(', ');
  },
  apply: (services, resource, { step }) => applyFlinkFile(services, resource.file, step),
  remove: (services, resource) => removeFlinkFile(services, resource.file),
};
