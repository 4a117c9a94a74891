/**
 * What `solve` creates and `reset` removes, by resource kind. Applying is idempotent: what is already right is left
 * alone, and every call says what it changed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { debeziumClasses, elasticsearchSinkClass } from '#checks/clients/connector-classes.js';
import { viewGroup } from '#checks/clients/consumer-group.js';
import { topicOffsets } from '#checks/clients/kafka-read.js';
import type { Services } from '#checks/clients/services.js';
import type { Resource, Step } from '#checks/course.js';
import type { WorkshopConfig } from '#core/config.js';
import { EnvironmentError, ExitCode, TimeoutError, UsageError, WorkshopError } from '#core/errors.js';
import { repoRoot, stateDir } from '#core/state-dir.js';
import { NotYet, waitFor } from '#core/wait.js';
import { applyIndexes, removeIndexes, removePipelineIndexes } from './elasticsearch.js';
import { importSavedObjects, objectsOfFile, removeSavedObjects } from './kibana.js';
import { applyKsqlFile, objectsOf, removeAllKsqlObjects, removeKsqlFile } from './ksql.js';
import { applyMysql, applySchemaRegistry, removeMysql, removeSchemaRegistry } from './schema-registry.js';

export interface ConnectorFile {
  name: string;
  config: Record<string, string>;
}

export function readConnectorFile(file: string): ConnectorFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not a JSON file: ${(error as Error).message}`);
  }
  const candidate = parsed as Partial<ConnectorFile>;
  if (typeof candidate.name !== 'string' || typeof candidate.config !== 'object' || candidate.config === null) {
    throw new UsageError(`${file} must hold {"name": "...", "config": {...}}, as POST /connectors takes it`);
  }
  for (const [key, value] of Object.entries(candidate.config)) {
    if (typeof value !== 'string') {
      throw new UsageError(
        `${file}: config "${key}" must be a string (Kafka Connect takes every value as text), found ${JSON.stringify(value)}`,
      );
    }
  }
  return candidate as ConnectorFile;
}

/**
 * The connector config as this platform needs it. The files are written for the learners' compose stack; where the
 * configuration says otherwise (the local test stack) the database class and the addresses Connect uses change,
 * and nothing else does.
 */
export function adaptConnectorConfig(config: Record<string, string>, workshop: WorkshopConfig): Record<string, string> {
  const adapted = { ...config };
  const debezium = Object.values(debeziumClasses);
  if (adapted['connector.class'] && debezium.includes(adapted['connector.class'])) {
    adapted['connector.class'] = debeziumClasses[workshop.mysql.flavour];
    if ('database.hostname' in adapted) adapted['database.hostname'] = workshop.fromConnect.mysqlHost;
    if ('database.port' in adapted) adapted['database.port'] = String(workshop.fromConnect.mysqlPort);
    if ('schema.history.internal.kafka.bootstrap.servers' in adapted) {
      adapted['schema.history.internal.kafka.bootstrap.servers'] = workshop.fromConnect.kafkaBootstrapServers;
    }
  }
  // Confluent's converters (Avro) reach the Schema Registry from where Connect runs.
  for (const key of Object.keys(adapted)) {
    if (key.endsWith('.schema.registry.url')) adapted[key] = workshop.fromConnect.schemaRegistryUrl;
  }
  // Confluent's Elasticsearch sink: the address of Elasticsearch as the worker sees it.
  if (adapted['connector.class'] === elasticsearchSinkClass && 'connection.url' in adapted) {
    adapted['connection.url'] = workshop.fromConnect.elasticsearchUrl;
  }
  return adapted;
}

/** The topics a connector writes: for Debezium, everything under its topic prefix and its schema history topic. */
export function connectorTopics(config: Record<string, string>, topics: string[]): string[] {
  const prefix = config['topic.prefix'];
  const history = config['schema.history.internal.kafka.topic'];
  return topics.filter((t) => (prefix !== undefined && (t === prefix || t.startsWith(`${prefix}.`))) || t === history);
}

/**
 * Creates or updates a connector from a file. Returns what it did, in words. `adapt` (for solve) fits the reference
 * file to this platform; a learner's own file is applied exactly as written.
 */
export async function applyConnector(services: Services, file: string, { adapt = false } = {}): Promise<string> {
  const { name, config } = readConnectorFile(file);
  const wanted = adapt ? adaptConnectorConfig(config, services.config) : config;
  const changedByAdapting = Object.keys(wanted).filter((key) => wanted[key] !== config[key]);
  const current = await services.connect<Record<string, string>>(`/connectors/${encodeURIComponent(name)}/config`);
  if (current.status === 200) {
    const { name: _name, ...existing } = current.body;
    const same =
      Object.keys(existing).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([key, value]) => existing[key] === value);
    if (same) return `connector "${name}": already as in ${shown(file)}, left unchanged`;
  }
  const put = await services.connect<{ message?: string }>(`/connectors/${encodeURIComponent(name)}/config`, {
    method: 'PUT',
    body: wanted,
  });
  if (put.status >= 400) {
    throw new WorkshopError(
      `Kafka Connect refused connector "${name}" from ${shown(file)}: ${put.body?.message ?? put.status}`,
      'fix the config file and apply it again',
    );
  }
  const adapted = changedByAdapting.length > 0 ? ` (for this platform: ${changedByAdapting.join(', ')})` : '';
  return `connector "${name}": ${current.status === 200 ? 'updated' : 'created'} from ${shown(file)}${adapted}`;
}

/** A file's path as a person would type it: relative to the repository when inside it. */
function shown(file: string): string {
  const relative = path.relative(repoRoot, file);
  return relative.startsWith('..') ? file : relative;
}

async function deleteTopics(services: Services, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await services.withKafkaAdmin(async (admin) => {
    try {
      await admin.deleteTopics({ topics: names, timeout: 10_000 });
    } catch (error) {
      // A topic listed a moment ago was deleted meanwhile (by ksqlDB dropping a stream, say): delete what is left.
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      const left = (await admin.listTopics()).filter((t) => names.includes(t));
      if (left.length > 0) await admin.deleteTopics({ topics: left, timeout: 10_000 });
    }
  });
}

/** Waits until Kafka Connect reports the connector in `state`. */
async function waitForConnectorState(services: Services, name: string, state: 'STOPPED' | 'RUNNING'): Promise<void> {
  await waitFor({
    what: `connector "${name}" to be ${state}`,
    timeoutMs: 20_000,
    probe: async () => {
      const status = await services.connect<{ connector: { state: string } }>(
        `/connectors/${encodeURIComponent(name)}/status`,
      );
      return status.body?.connector?.state === state ? true : new NotYet(status.body?.connector?.state ?? '?');
    },
  });
}

/** Stops a connector and waits until Kafka Connect says it is STOPPED. */
async function stopConnector(services: Services, name: string): Promise<void> {
  await services.connect(`/connectors/${encodeURIComponent(name)}/stop`, { method: 'PUT' });
  await waitForConnectorState(services, name, 'STOPPED');
}

async function clearOffsets(services: Services, name: string): Promise<void> {
  const offsets = await services.connect<{ message?: string }>(`/connectors/${encodeURIComponent(name)}/offsets`, {
    method: 'DELETE',
  });
  if (offsets.status >= 400) {
    throw new EnvironmentError(`Kafka Connect could not clear the offsets of "${name}": ${offsets.body?.message}`);
  }
}

/**
 * Starts an existing connector over from the beginning of its topics (a sink whose index was replaced writes every
 * record again). Returns what it did, or nothing when there is no such connector.
 */
export async function rewindConnector(services: Services, name: string): Promise<string[]> {
  const path_ = `/connectors/${encodeURIComponent(name)}`;
  if ((await services.connect(`${path_}/config`)).status !== 200) return [];
  await stopConnector(services, name);
  await clearOffsets(services, name);
  await services.connect(`${path_}/resume`, { method: 'PUT' });
  await waitForConnectorState(services, name, 'RUNNING');
  return [`connector "${name}" restarted from the beginning of its topics`];
}

/** Stops a connector, clears its offsets (so a new one starts with a snapshot), deletes it and its topics. */
export async function removeConnector(
  services: Services,
  name: string,
  config?: Record<string, string>,
): Promise<string[]> {
  const done: string[] = [];
  const path_ = `/connectors/${encodeURIComponent(name)}`;
  const existing = await services.connect<Record<string, string>>(`${path_}/config`);
  const knownConfig = existing.status === 200 ? existing.body : config;
  if (existing.status === 200) {
    await stopConnector(services, name);
    await clearOffsets(services, name);
    await services.connect(path_, { method: 'DELETE' });
    done.push(`connector "${name}" deleted (offsets cleared)`);
  }
  if (knownConfig) {
    const all = await services.withKafkaAdmin((admin) => admin.listTopics());
    const topics = connectorTopics(knownConfig, all);
    await deleteTopics(services, topics);
    for (const topic of topics) done.push(`topic "${topic}" deleted`);
  }
  return done;
}

/** Topics the platform itself owns: internal ones (leading underscore) and ksqlDB's processing log. */
export function isPlatformTopic(topic: string): boolean {
  return topic.startsWith('_') || topic === 'default_ksql_processing_log';
}

/**
 * For a clean start: every ksqlDB object of the learner's, every connector left, and every topic that is not the
 * platform's own. ksqlDB's queries go first: a query whose input topic is deleted under it fails.
 */
export async function removeEverythingElse(services: Services): Promise<string[]> {
  const done: string[] = [...(await removeAllKsqlObjects(services))];
  const list = await services.connect<string[]>('/connectors');
  for (const name of Array.isArray(list.body) ? list.body : []) done.push(...(await removeConnector(services, name)));
  done.push(...(await removePipelineIndexes(services)));
  const topics = (await services.withKafkaAdmin((admin) => admin.listTopics())).filter((t) => !isPlatformTopic(t));
  await deleteTopics(services, topics);
  for (const topic of topics) done.push(`topic "${topic}" deleted`);
  return done;
}

// Background producers: a process of the kit's own, remembered by a pid file in .workshop/.

function pidFile(name: string): string {
  return path.join(stateDir(), `${name}.pid`);
}

/**
 * The pid of a producer the kit started, if that process still runs. The pid file also holds the process title the
 * kit gave it, so a pid reused by another program (after a reboot) is never taken for ours.
 */
function runningPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const [pidText, title] = readFileSync(pidFile(name), 'utf8').trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // Where /proc exists (Linux, WSL) the process must carry our title; elsewhere the pid check must do.
  if (title && existsSync(`/proc/${pid}/cmdline`)) {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(title) ? pid : undefined;
  }
  return pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const sumOfOffsets = (offsets: { high: bigint }[]) => offsets.reduce((total, o) => total + o.high, 0n);

/**
 * Whether records keep arriving in a topic: its end offsets grow within the window. A topic that does not exist
 * receives nothing.
 */
async function topicIsReceiving(services: Services, topic: string, windowMs: number): Promise<boolean> {
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic)) return false;
  const before = sumOfOffsets(await topicOffsets(services, topic));
  try {
    await waitFor({
      what: `new records in "${topic}"`,
      timeoutMs: windowMs,
      intervalMs: 250,
      probe: async () => (sumOfOffsets(await topicOffsets(services, topic)) > before ? true : new NotYet('none')),
    });
    return true;
  } catch (error) {
    if (error instanceof TimeoutError) return false;
    throw error;
  }
}

/** Starts one of the kit's commands as a background process of its own, remembered by a pid file; output to a log. */
function spawnBackground(name: string, args: string[]): { child: ChildProcess; logPath: string } {
  mkdirSync(stateDir(), { recursive: true });
  const logPath = path.join(stateDir(), `${name}.log`);
  const log = openSync(logPath, 'a');
  const title = `workshop-${name}-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    // The launcher npm run uses: the built kit, so the app starts without compiling.
    [`--title=${title}`, path.join(repoRoot, 'workshop', 'launcher', 'launch.mjs'), ...args],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, CI: 'true' },
    },
  );
  closeSync(log);
  child.unref();
  writeFileSync(pidFile(name), `${child.pid} ${title}\n`);
  return { child, logPath };
}

/** How long solve and reset watch a topic for a producer the kit did not start (the learner's own, say). */
export const otherProducerWindowMs = 3_000;

export async function startBackgroundProducer(
  services: Services,
  resource: Extract<Resource, { kind: 'background-producer' }>,
  /** The command being run, for the learner to run again ("npm run solve step-3"). */
  again = 'the same solve',
): Promise<string> {
  const running = runningPid(resource.name);
  if (running) return `producer "${resource.name}": already running (pid ${running}), left alone`;
  // The learner's own producer, still running from the step's guide, already does the job: a second one would
  // write the same rating ids again.
  if (await topicIsReceiving(services, resource.topic, otherProducerWindowMs)) {
    return `producer "${resource.name}": not started, topic "${resource.topic}" is already receiving records from a producer of yours, left alone (later steps need it running: if you stop it, run ${again} again and the kit starts its own)`;
  }
  const { child, logPath } = spawnBackground(resource.name, resource.args);
  const before = await topicOffsets(services, resource.topic).catch(() => []);
  try {
    await waitFor({
      what: `producer "${resource.name}" to write to "${resource.topic}"`,
      timeoutMs: 30_000,
      intervalMs: 500,
      giveUpIf: () => (child.exitCode !== null ? `it exited with code ${child.exitCode}; see ${logPath}` : undefined),
      probe: async () => {
        const now = await topicOffsets(services, resource.topic).catch(() => []);
        return sumOfOffsets(now) > sumOfOffsets(before) ? true : new NotYet('no records yet');
      },
    });
  } catch (error) {
    // A producer that does not produce is stopped, not left running behind the learner's back.
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
    rmSync(pidFile(resource.name), { force: true });
    // The producer says why it stopped with its exit code: an unreachable broker is the platform's, not a mistake.
    if (child.exitCode === ExitCode.environment && !(error instanceof EnvironmentError)) {
      throw new EnvironmentError(
        `producer "${resource.name}" could not reach Kafka (see ${path.relative(repoRoot, logPath)})`,
        'check that the platform is up: npm run status, then run the same command again',
      );
    }
    throw error;
  }
  return `producer "${resource.name}": started in the background (pid ${child.pid}, log ${path.relative(repoRoot, logPath)})`;
}

/**
 * Stops a producer the kit started, if it runs: Ctrl-C (SIGINT), then a kill. Says what it did, or nothing when no
 * such producer runs.
 */
export async function stopProducerProcess(name: string, noun = 'producer'): Promise<string[]> {
  const done: string[] = [];
  const pid = runningPid(name);
  const resource = { name };
  if (pid) {
    const stopped = (timeoutMs: number) =>
      waitFor({
        what: `${noun} "${resource.name}" (pid ${pid}) to stop`,
        timeoutMs,
        intervalMs: 100,
        probe: async () => (runningPid(resource.name) ? new NotYet('still running') : true),
      }).then(
        () => true,
        () => false,
      );
    signalGroup(pid, 'SIGINT');
    if (await stopped(15_000)) {
      done.push(`${noun} "${resource.name}" stopped`);
    } else {
      signalGroup(pid, 'SIGKILL');
      if (await stopped(5_000)) {
        done.push(`${noun} "${resource.name}" stopped (it did not finish within 15 s of Ctrl-C, so it was killed)`);
      } else {
        throw new WorkshopError(
          `${noun} "${resource.name}" (pid ${pid}) is still running after Ctrl-C and a kill`,
          `stop it yourself (Task Manager, or kill ${pid}), then run the same reset again`,
        );
      }
    }
  }
  rmSync(pidFile(resource.name), { force: true });
  return done;
}

export async function stopBackgroundProducer(
  services: Services,
  resource: Extract<Resource, { kind: 'background-producer' }>,
): Promise<Removal[]> {
  const done: Removal[] = await stopProducerProcess(resource.name);
  // A producer the kit did not start (the learner's own) would write the topic straight back after it is deleted.
  if (await topicIsReceiving(services, resource.topic, otherProducerWindowMs)) {
    done.push({
      warning: `records are still arriving in topic "${resource.topic}" from a producer the kit did not start: stop it (Ctrl-C in its terminal), or it writes the topic back as soon as it is deleted`,
    });
  }
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (topics.includes(resource.topic)) {
    await deleteTopics(services, [resource.topic]);
    done.push(`topic "${resource.topic}" deleted`);
  }
  return done;
}

/**
 * Starts one of the kit's consumer apps (the notifications app) unless it runs already, or the group already has a
 * member reading the topic (the learner's own, in a terminal). Waits until its member has joined and reads the topic.
 */
export async function startBackgroundConsumer(
  services: Services,
  resource: Extract<Resource, { kind: 'background-consumer' }>,
): Promise<string> {
  const running = runningPid(resource.name);
  if (running) return `app "${resource.name}": already running (pid ${running}), left alone`;
  const before = await viewGroup(services, resource.group, resource.topic);
  if (before.members.some((m) => m.topics.includes(resource.topic))) {
    return `app "${resource.name}": not started, consumer group "${resource.group}" already has a member reading "${resource.topic}" (yours, in a terminal?), left alone`;
  }
  const { child, logPath } = spawnBackground(resource.name, resource.args);
  try {
    await waitFor({
      what: `app "${resource.name}" to join consumer group "${resource.group}"`,
      timeoutMs: 45_000,
      intervalMs: 500,
      giveUpIf: () => (child.exitCode !== null ? `it exited with code ${child.exitCode}; see ${logPath}` : undefined),
      probe: async () => {
        const view = await viewGroup(services, resource.group, resource.topic);
        return view.members.some((m) => m.topics.includes(resource.topic)) ? true : new NotYet(`group ${view.state}`);
      },
    });
  } catch (error) {
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
    rmSync(pidFile(resource.name), { force: true });
    throw error;
  }
  return `app "${resource.name}": started in the background (pid ${child.pid}, log ${path.relative(repoRoot, logPath)})`;
}

/** Stops the kit's consumer app, then deletes its consumer group (so a new start begins afresh) and its log. */
export async function stopBackgroundConsumer(
  services: Services,
  resource: Extract<Resource, { kind: 'background-consumer' }>,
): Promise<Removal[]> {
  const done: Removal[] = await stopProducerProcess(resource.name, 'app');
  // A member that was killed, not stopped, stays in the group until its session times out (10 s for the kit's app).
  const view = await waitFor({
    what: `consumer group "${resource.group}" to have no member`,
    timeoutMs: 12_000,
    intervalMs: 500,
    probe: async () => {
      const seen = await viewGroup(services, resource.group, resource.topic);
      return seen.members.length === 0 ? seen : new NotYet(`${seen.members.length} member(s)`);
    },
  }).catch(() => viewGroup(services, resource.group, resource.topic));
  if (view.members.length > 0) {
    done.push({
      warning: `consumer group "${resource.group}" still has ${view.members.length} member(s) the kit did not start: stop your app (Ctrl-C in its terminal), then run the same reset again to delete the group`,
    });
  } else if (view.state !== 'Dead') {
    await services.withKafkaAdmin(async (admin) => {
      await admin.listTopics(); // loads the metadata the group's coordinator is found with
      return admin.deleteGroups([resource.group]);
    });
    done.push(`consumer group "${resource.group}" deleted`);
  }
  // The log goes with its group: the check compares the two, and a group still running keeps writing it.
  if (view.members.length === 0 && resource.log && existsSync(path.join(stateDir(), resource.log))) {
    rmSync(path.join(stateDir(), resource.log), { force: true });
    done.push(`delivery log .workshop/${resource.log} deleted`);
  }
  return done;
}

/**
 * A line of what reset did, or a warning about something it saw but must leave to the learner, with when to run
 * reset again (default: once the learner's own producer or app is stopped).
 */
export type Removal = string | { warning: string; again?: string };

/** What reset will remove for a resource, before it does. */
export function describeRemoval(resource: Resource): string {
  if (resource.kind === 'ksql') {
    return objectsOf(resource.file, shown(resource.file))
      .map((o) => `ksqlDB ${o.type.toLowerCase()} ${o.name}${o.asSelect ? ' with its query and topic' : ''}`)
      .join(', ');
  }
  if (resource.kind === 'elasticsearch-indexes') {
    return `Elasticsearch index${resource.indexes.length > 1 ? 'es' : ''} ${resource.indexes.join(', ')}`;
  }
  if (resource.kind === 'kibana-saved-objects') {
    const objects = objectsOfFile(resource.file);
    return `Kibana saved objects of ${shown(resource.file)}: ${objects.map((o) => `${o.type} "${o.title || o.id}"`).join(', ')}`;
  }
  if (resource.kind === 'connector') {
    const { name, config } = readConnectorFile(resource.file);
    if (!config['topic.prefix']) return `connector "${name}" with its offsets`;
    const topics = [
      config['topic.prefix'] && `${config['topic.prefix']}.*`,
      config['schema.history.internal.kafka.topic'],
    ]
      .filter(Boolean)
      .join(', ');
    return `connector "${name}" with its offsets, and its topics ${topics}`;
  }
  if (resource.kind === 'schema-registry') {
    const { subjects } = resource;
    return `Schema Registry subject${subjects.length > 1 ? 's' : ''} ${subjects.join(', ')} (soft, then hard) and their compatibility levels`;
  }
  if (resource.kind === 'mysql') return `the change of ${shown(resource.file)}, undone by ${shown(resource.undo)}`;
  if (resource.kind === 'background-consumer') {
    return `app "${resource.name}", its consumer group "${resource.group}"${resource.log ? ` and its log .workshop/${resource.log}` : ''}`;
  }
  return `background producer "${resource.name}" and topic "${resource.topic}"`;
}

export async function applyResource(
  services: Services,
  resource: Resource,
  step: Step,
  again?: string,
): Promise<string[]> {
  switch (resource.kind) {
    case 'connector':
      return [await applyConnector(services, resource.file, { adapt: true })];
    case 'ksql':
      return applyKsqlFile(services, resource.file, shown(resource.file), step);
    case 'elasticsearch-indexes':
      return applyIndexes(services, resource.indexes, step);
    case 'kibana-saved-objects':
      return importSavedObjects(services, resource.file, shown(resource.file));
    case 'background-producer':
      return [await startBackgroundProducer(services, resource, again)];
    case 'background-consumer':
      return [await startBackgroundConsumer(services, resource)];
    case 'schema-registry':
      return applySchemaRegistry(services, resource);
    case 'mysql':
      return applyMysql(services, resource, shown);
  }
}

export async function removeResource(services: Services, resource: Resource): Promise<Removal[]> {
  if (resource.kind === 'ksql') return removeKsqlFile(services, resource.file, shown(resource.file));
  if (resource.kind === 'elasticsearch-indexes') return removeIndexes(services, resource.indexes);
  if (resource.kind === 'kibana-saved-objects') return removeSavedObjects(services, resource.file);
  if (resource.kind === 'connector') {
    const { name, config } = readConnectorFile(resource.file);
    return removeConnector(services, name, config);
  }
  if (resource.kind === 'background-consumer') return stopBackgroundConsumer(services, resource);
  if (resource.kind === 'schema-registry') return removeSchemaRegistry(services, resource);
  if (resource.kind === 'mysql') return removeMysql(services, resource, shown);
  return stopBackgroundProducer(services, resource);
}
