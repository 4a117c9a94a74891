/**
 * What `solve` creates and `reset` removes: every resource kind, one file each in this folder, listed once here (as
 * expectation kinds are in ../kinds/index.ts). Adding a kind is one file and one line. Applying is idempotent: what
 * is already right is left alone, and every call says what it changed.
 */
import { type Services, ServiceUnavailable } from '#checks/clients/services.js';
import type { OptionalService } from '#core/config.js';
import { currentEngine } from '#core/engine.js';
import { backgroundConsumerResource, backgroundProducerResource } from './background.js';
import { connectorResource, removeConnector } from './connector.js';
import { elasticsearchIndexesResource, removePipelineIndexes } from './elasticsearch.js';
import { flinkResource, removeAllFlinkObjects } from './flink.js';
import { headlessResource } from './headless.js';
import { kibanaSavedObjectsResource } from './kibana.js';
import { ksqlResource, removeAllKsqlObjects } from './ksql.js';
import { ksqlConnectorResource } from './ksql-connector.js';
import { mysqlResource } from './mysql.js';
import { mysqlSeedResource } from './mysql-seed.js';
import type { Removal, ResourceKind, StepOfResource } from './resource.js';
import { schemaRegistryResource } from './schema-registry.js';
import { deleteTopics } from './topics.js';

export { stopProducerProcess } from './background.js';
export { adaptConnectorConfig, applyConnector, readConnectorFile, removeConnector } from './connector.js';
export type { Removal } from './resource.js';

/** Every resource kind, in the order the course reader lists them when a step names an unknown one. */
export const resourceKinds = [
  connectorResource,
  ksqlResource,
  flinkResource,
  ksqlConnectorResource,
  headlessResource,
  elasticsearchIndexesResource,
  kibanaSavedObjectsResource,
  backgroundProducerResource,
  backgroundConsumerResource,
  schemaRegistryResource,
  mysqlResource,
  mysqlSeedResource,
] as const;

type ResourceOf<K> = K extends ResourceKind<infer R> ? R : never;

/** Something solve creates and reset removes, as a step.yaml names it. */
export type Resource = ResourceOf<(typeof resourceKinds)[number]>;

// biome-ignore lint/suspicious/noExplicitAny: each kind takes only its own resources, which carry its name.
const byKind = new Map<string, ResourceKind<any>>(resourceKinds.map((k) => [k.kind, k]));

export function resourceKind(name: unknown): (typeof resourceKinds)[number] | undefined {
  return resourceKinds.find((k) => k.kind === name);
}

// biome-ignore lint/suspicious/noExplicitAny: see byKind.
function kindOf(resource: Resource): ResourceKind<any> {
  const kind = byKind.get(resource.kind);
  if (!kind) throw new Error(`no resource kind "${resource.kind}"`);
  return kind;
}

/** The optional service a resource's objects live in, if any (see ResourceKind.service). */
export function serviceOf(resource: Resource): OptionalService | undefined {
  return kindOf(resource).service;
}

/** What reset will remove for a resource, before it does. */
export function describeRemoval(resource: Resource): string {
  return kindOf(resource).describe(resource);
}

/** Applies one resource of a step's solution; `again` is the command the learner runs again, for its messages. */
export function applyResource(
  services: Services,
  resource: Resource,
  step: StepOfResource,
  again?: string,
): Promise<string[]> {
  return kindOf(resource).apply(services, resource, { step, again });
}

export function removeResource(services: Services, resource: Resource): Promise<Removal[]> {
  return kindOf(resource).remove(services, resource);
}

/** Topics the platform itself owns: internal ones (leading underscore) and ksqlDB's processing log. */
export function isPlatformTopic(topic: string): boolean {
  return topic.startsWith('_') || topic === 'default_ksql_processing_log';
}

/** What reset could not remove because the service it lives in could not be reached. */
export interface NotRemoved {
  what: string;
  failure: ServiceUnavailable;
}

/**
 * For a clean start: every ksqlDB object of the learner's, every connector left, every pipeline index and every
 * topic that is not the platform's own. ksqlDB's queries go first: a query whose input topic is deleted under it
 * fails. A service that cannot be reached stops only its own part: the rest is removed, and what was left is said.
 */
export async function removeEverythingElse(services: Services): Promise<{ done: string[]; notRemoved: NotRemoved[] }> {
  const done: string[] = [];
  const notRemoved: NotRemoved[] = [];
  const part = async (what: string, remove: () => Promise<string[]>) => {
    try {
      done.push(...(await remove()));
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      notRemoved.push({ what, failure: error });
    }
  };
  if (!services.isAbsent('ksqlDB'))
    await part('every other ksqlDB stream, table and query', () => removeAllKsqlObjects(services));
  // Flink runs only in a room that chose it (npm run up -- --engine flink): elsewhere its absence is no news.
  if (!services.isAbsent('Flink') && !services.isAbsent('Flink SQL Gateway')) {
    const flinkPart = () => removeAllFlinkObjects(services);
    if (currentEngine() === 'flink') await part('every other Flink job and table', flinkPart);
    else done.push(...(await flinkPart().catch(() => [])));
  }
  await part('every other connector', async () => {
    const list = await services.connect<string[]>('/connectors');
    const removed: string[] = [];
    for (const name of Array.isArray(list.body) ? list.body : [])
      removed.push(...(await removeConnector(services, name)));
    return removed;
  });
  await part('every other pipeline index', () => removePipelineIndexes(services));
  await part('every other topic', async () => {
    const topics = (await services.withKafkaAdmin((admin) => admin.listTopics())).filter((t) => !isPlatformTopic(t));
    await deleteTopics(services, topics);
    return topics.map((topic) => `topic "${topic}" deleted`);
  });
  return { done, notRemoved };
}
