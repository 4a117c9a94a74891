/**
 * The Elasticsearch index template for the pipeline's timestamp fields. Confluent's Elasticsearch sink writes each
 * topic to an index of the same name, lower-cased, and lets Elasticsearch map the fields; epoch-millisecond
 * timestamps would then be mapped as numbers and Kibana could not draw them over time. This composable template
 * (`_index_template`; the legacy `_template` is deprecated) maps them as dates before the first document arrives.
 * `npm run up` puts it once Elasticsearch is healthy; putting it again is harmless.
 */
import { Client } from '@elastic/elasticsearch';
import { EnvironmentError } from '#core/errors.js';
import { type Clock, NotYet, waitFor } from '#core/wait.js';

export const timestampTemplateName = 'workshop-timestamps';

/** The indexes the sink writes in the workshop: topics such as RATINGS_WITH_CUSTOMER_DATA, lower-cased. */
export const pipelineIndexPatterns = ['ratings*', 'poor_ratings*', 'unhappy_platinum_customers*'];

/**
 * Field names that hold times, each with the name of its dynamic template: ksqlDB's upper-case columns (RATING_TIME,
 * EXTRACT_TS, WINDOWSTART), the raw ratings' lower-case ones (rating_time) and MySQL's create_ts / update_ts as
 * Debezium writes them. Elasticsearch matches field names case-sensitively, hence both cases.
 */
export const timestampFields: [templateName: string, fieldPattern: string][] = [
  ['ksqldb_ts_columns', '*_TS'],
  ['ts_fields', '*_ts'],
  ['ksqldb_time_columns', '*_TIME'],
  ['time_fields', '*_time'],
  ['window_start', 'WINDOWSTART'],
  ['window_end', 'WINDOWEND'],
  ['rowtime', 'ROWTIME'],
];

/** Epoch milliseconds (ksqlDB, the ratings), ISO-8601 (Debezium's timestamps) or MySQL's "yyyy-MM-dd HH:mm:ss". */
export const timestampFormat = 'epoch_millis||strict_date_optional_time||yyyy-MM-dd HH:mm:ss';

export function timestampIndexTemplate() {
  return {
    name: timestampTemplateName,
    index_patterns: pipelineIndexPatterns,
    // Above Elasticsearch's built-in templates (priority 100), which match other names anyway.
    priority: 200,
    template: {
      mappings: {
        dynamic_templates: timestampFields.map(([templateName, fieldPattern]) => ({
          [templateName]: { match: fieldPattern, mapping: { type: 'date', format: timestampFormat } },
        })),
      },
    },
    _meta: {
      description: 'Maps the streaming pipeline workshop’s timestamp fields as dates',
      managed_by: 'npm run up',
    },
  };
}

/** Puts the template, retrying while Elasticsearch is still settling; an EnvironmentError once the deadline passes. */
export async function ensureTimestampTemplate(
  elasticsearchUrl: string,
  options: { timeoutMs?: number; clock?: Clock } = {},
): Promise<void> {
  const client = new Client({ node: elasticsearchUrl, requestTimeout: 5_000, maxRetries: 0 });
  try {
    await waitFor({
      what: `Elasticsearch at ${elasticsearchUrl} to accept the index template "${timestampTemplateName}"`,
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 1_000,
      clock: options.clock,
      probe: async () => {
        const response = await client.indices.putIndexTemplate(timestampIndexTemplate());
        return response.acknowledged ? true : new NotYet('the template was not acknowledged');
      },
    });
  } catch (error) {
    if (error instanceof EnvironmentError) {
      throw new EnvironmentError(
        error.message,
        'npm run logs -- elasticsearch shows what Elasticsearch says; then run npm run up again',
      );
    }
    throw error;
  } finally {
    await client.close();
  }
}
