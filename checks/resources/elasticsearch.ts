/**
 * The indexes a step's sink fills. Solve puts the index template that maps their time fields as dates (as npm run up
 * does) and replaces an index whose mapping cannot take the records; reset deletes them. Elasticsearch holds nothing
 * the topics do not: a deleted index is written again by the sink.
 */

import { indexMapping, mappingConflict, newestRecords, unexpected } from '#checks/clients/elasticsearch-look.js';
import {
  ensureTimestampTemplate,
  pipelineIndexPatterns,
  timestampTemplateName,
} from '#checks/clients/index-template.js';
import type { Services } from '#checks/clients/services.js';
import { type ConnectorResource, connectorResource, readConnectorFile, rewindConnector } from './connector.js';
import type { ResourceKind, StepOfResource } from './resource.js';

interface IndexExpectation {
  index: string;
  topic: string;
  timeField: string;
}

function expectationsOf(step: StepOfResource): IndexExpectation[] {
  return step.expectations
    .filter((e) => e.kind.kind === 'elasticsearch-index')
    .map((e) => e.params as IndexExpectation);
}

async function deleteIndex(services: Services, index: string): Promise<void> {
  const answer = await services.elasticsearch(`/${encodeURIComponent(index)}`, { method: 'DELETE' });
  if (answer.status !== 200 && answer.status !== 404) throw unexpected(answer.status, `DELETE /${index}`, answer.body);
}

/** What is wrong with an index's mapping for its records, or undefined when nothing is. */
async function wrongMapping(services: Services, expectation: IndexExpectation): Promise<string | undefined> {
  const properties = await indexMapping(services, expectation.index);
  if (!properties) return undefined;
  const timeType = properties[expectation.timeField]?.type;
  if (timeType && timeType !== 'date') return `${expectation.timeField} mapped as ${timeType}`;
  const [record] = (await newestRecords(services, expectation.topic, 1)).slice(-1);
  const conflict = record && mappingConflict(properties, record.value);
  return conflict ? `${conflict.field} mapped as ${conflict.type}, which the records do not fit` : undefined;
}

export async function applyIndexes(services: Services, indexes: string[], step: StepOfResource): Promise<string[]> {
  const done: string[] = [];
  await ensureTimestampTemplate(services.config.elasticsearchUrl, { timeoutMs: 10_000 });
  done.push(`index template "${timestampTemplateName}" in place`);
  let replaced = false;
  for (const expectation of expectationsOf(step).filter((e) => indexes.includes(e.index))) {
    const wrong = await wrongMapping(services, expectation);
    if (!wrong) continue;
    await deleteIndex(services, expectation.index);
    replaced = true;
    done.push(`index "${expectation.index}" deleted (${wrong})`);
  }
  // The sink has written its records already: it must read its topics again to fill the new index.
  if (replaced) {
    for (const resource of step.solution) {
      if (resource.kind !== connectorResource.kind) continue;
      const { file } = resource as ConnectorResource;
      done.push(...(await rewindConnector(services, readConnectorFile(file).name)));
    }
  }
  return done;
}

export async function removeIndexes(services: Services, indexes: string[]): Promise<string[]> {
  const done: string[] = [];
  for (const index of indexes) {
    if (!(await indexMapping(services, index))) continue;
    await deleteIndex(services, index);
    done.push(`index "${index}" deleted`);
  }
  return done;
}

/** For a clean start: every index of the pipeline's (the names the index template covers). */
export async function removePipelineIndexes(services: Services): Promise<string[]> {
  const answer = await services.elasticsearch<{ index: string }[]>(
    `/_cat/indices/${pipelineIndexPatterns.join(',')}?format=json&expand_wildcards=open,closed`,
  );
  if (answer.status === 404) return [];
  if (answer.status !== 200) throw unexpected(answer.status, 'GET /_cat/indices', answer.body);
  return removeIndexes(
    services,
    answer.body.map((row) => row.index),
  );
}

/** The indexes the step's elasticsearch-index expectations name: solve puts the index template, reset deletes them. */
export interface IndexesResource {
  kind: 'elasticsearch-indexes';
  indexes: string[];
}

export const elasticsearchIndexesResource: ResourceKind<IndexesResource> = {
  kind: 'elasticsearch-indexes',
  fields: ['indexes'],
  parse: (params) => ({ indexes: params.strings('indexes') }),
  describe: ({ indexes }) => `Elasticsearch index${indexes.length > 1 ? 'es' : ''} ${indexes.join(', ')}`,
  apply: (services, resource, { step }) => applyIndexes(services, resource.indexes, step),
  remove: (services, resource) => removeIndexes(services, resource.indexes),
};
