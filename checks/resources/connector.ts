/**
 * Kafka Connect connectors from a JSON file (as POST /connectors takes it): solve creates or updates one, fitted to
 * this platform; reset stops it, clears its offsets (so a new one starts with a snapshot), deletes it and its topics.
 */
import { readFileSync } from 'node:fs';
import { debeziumClasses, elasticsearchSinkClass } from '#checks/clients/connector-classes.js';
import type { Services } from '#checks/clients/services.js';
import { loadConfig, type WorkshopConfig } from '#core/config.js';
import { EnvironmentError, UsageError, WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import { type ResourceKind, shown, stepFile } from './resource.js';
import { deleteTopics } from './topics.js';

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

/** One value a config file had that this platform needs changed: "database.port 3306 → 40001". */
export interface Adaptation {
  key: string;
  from: string;
  to: string;
}

/** The learners' platform, as the guides and solution files are written for it: every variable at its default. */
const learners = loadConfig({});

/**
 * The connector config as this platform needs it. The guides' files (and the solution files) are written for the
 * learners' compose platform; where the configuration says otherwise (the local stack), a value that is the compose
 * platform's own (the MySQL connector class, host mysql, kafka:29092, the registry's and Elasticsearch's addresses)
 * becomes this platform's. Any other value is the learner's choice and stays as written, mistakes included, so the
 * checks still see them.
 */
export function adaptConnectorConfig(config: Record<string, string>, workshop: WorkshopConfig): Record<string, string> {
  return connectorAdaptations(config, workshop).reduce<Record<string, string>>(
    (adapted, { key, to }) => Object.assign(adapted, { [key]: to }),
    { ...config },
  );
}

/** What adaptConnectorConfig changes, a line each, in the file's order. */
export function connectorAdaptations(config: Record<string, string>, workshop: WorkshopConfig): Adaptation[] {
  const from = learners.fromConnect;
  const to = workshop.fromConnect;
  const isDebezium = config['connector.class'] === debeziumClasses[learners.mysql.flavour];
  const isSink = config['connector.class'] === elasticsearchSinkClass;
  const wanted = (key: string, value: string): string | undefined => {
    if (key === 'connector.class' && isDebezium) return debeziumClasses[workshop.mysql.flavour];
    if (key === 'database.hostname' && value === from.mysqlHost) return to.mysqlHost;
    if (key === 'database.port' && value === String(from.mysqlPort)) return String(to.mysqlPort);
    if (key.endsWith('bootstrap.servers') && sameBrokers(value, from.kafkaBootstrapServers))
      return sameBrokers(value, to.kafkaBootstrapServers) ? undefined : to.kafkaBootstrapServers;
    // Confluent's converters (Avro) reach the Schema Registry from where Connect runs.
    if (key.endsWith('schema.registry.url') && sameUrl(value, from.schemaRegistryUrl))
      return sameUrl(value, to.schemaRegistryUrl) ? undefined : to.schemaRegistryUrl;
    // A JDBC sink (Debezium's, step 14): MySQL's address in the JDBC URL, as the worker sees it.
    if (key === 'connection.url' && value.startsWith('jdbc:')) {
      const learnersAt = `//${from.mysqlHost}:${from.mysqlPort}/`;
      if (value.includes(learnersAt)) return value.replace(learnersAt, `//${to.mysqlHost}:${to.mysqlPort}/`);
    }
    // Confluent's Elasticsearch sink: the address of Elasticsearch as the worker sees it.
    if (key === 'connection.url' && isSink && sameUrl(value, from.elasticsearchUrl))
      return sameUrl(value, to.elasticsearchUrl) ? undefined : to.elasticsearchUrl;
    return undefined;
  };
  return Object.entries(config).flatMap(([key, value]) => {
    const next = wanted(key, value);
    return next !== undefined && next !== value ? [{ key, from: value, to: next }] : [];
  });
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function sameBrokers(a: string, b: string): boolean {
  return (
    a
      .split(',')
      .map((s) => s.trim())
      .join(',') === b
  );
}

/** "for this platform: database.port 3306 → 40001, …", or nothing when the file is used as written. */
export function describeAdaptations(adaptations: Adaptation[]): string {
  if (adaptations.length === 0) return '';
  return ` (changed for this platform, the file stays as written: ${adaptations.map((a) => `${a.key} ${a.from} → ${a.to}`).join(', ')})`;
}

/** The topics a connector writes: for Debezium, everything under its topic prefix and its schema history topic. */
export function connectorTopics(config: Record<string, string>, topics: string[]): string[] {
  const prefix = config['topic.prefix'];
  const history = config['schema.history.internal.kafka.topic'];
  return topics.filter((t) => (prefix !== undefined && (t === prefix || t.startsWith(`${prefix}.`))) || t === history);
}

/**
 * Creates or updates a connector from a file, fitted to this platform (adaptConnectorConfig): a learner's file saved
 * from a guide works on the compose platform and the local stack alike. Returns what it did, in words, with each value
 * it changed for this platform.
 */
export async function applyConnector(services: Services, file: string): Promise<string> {
  const { name, config } = readConnectorFile(file);
  const adaptations = connectorAdaptations(config, services.config);
  const wanted = adaptConnectorConfig(config, services.config);
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
  return `connector "${name}": ${current.status === 200 ? 'updated' : 'created'} from ${shown(file)}${describeAdaptations(adaptations)}`;
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

export interface ConnectorResource {
  kind: 'connector';
  file: string;
}

export const connectorResource: ResourceKind<ConnectorResource> = {
  kind: 'connector',
  fields: ['file'],
  parse: (params, where, folder) => ({ file: stepFile(params, 'file', where, folder) }),
  describe(resource) {
    const { name, config } = readConnectorFile(resource.file);
    if (!config['topic.prefix']) return `connector "${name}" with its offsets`;
    const topics = [
      config['topic.prefix'] && `${config['topic.prefix']}.*`,
      config['schema.history.internal.kafka.topic'],
    ]
      .filter(Boolean)
      .join(', ');
    return `connector "${name}" with its offsets, and its topics ${topics}`;
  },
  apply: async (services, resource) => [await applyConnector(services, resource.file)],
  remove(services, resource) {
    const { name, config } = readConnectorFile(resource.file);
    return removeConnector(services, name, config);
  },
};
