/**
 * `--format avro`: the rating schema registered with the Schema Registry under `<topic>-value`, and values in
 * Confluent's wire format (a zero byte, the schema id, the Avro bytes) so ksqlDB and Connect read them with the
 * registry. The registry client is @kafkajs/confluent-schema-registry.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { EnvironmentError, WorkshopError } from '../workshop/errors.js';
import { type Rating, ratingAvroSchema } from './rating-schema.js';

export function ratingSubject(topic: string): string {
  return `${topic}-value`;
}

function registryClient(url: string): SchemaRegistry {
  // Few retries: an unreachable registry should be reported in seconds, not minutes.
  return new SchemaRegistry({ host: url, clientId: 'workshop-datagen', retry: { retries: 1, maxRetryTimeInSecs: 1 } });
}

/** Why a registry call failed, in a sentence, and whether the registry answered at all. */
function explain(error: unknown): { answered: boolean; reason: string } {
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  // mappersmith reports a connection that never happened as a response with status 400 and no body from the server.
  const network = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|timeout/i.exec(message);
  if (network) return { answered: false, reason: network[0] };
  return { answered: typeof status === 'number', reason: message.replace(/^workshop-datagen - /, '') };
}

/** Registers the rating schema for `topic` and returns its id. */
export async function registerRatingSchema(registryUrl: string, topic: string): Promise<number> {
  const subject = ratingSubject(topic);
  try {
    const { id } = await registryClient(registryUrl).register(
      { type: SchemaType.AVRO, schema: JSON.stringify(ratingAvroSchema) },
      { subject },
    );
    return id;
  } catch (error) {
    const { answered, reason } = explain(error);
    if (!answered) {
      throw new EnvironmentError(
        `the Schema Registry at ${registryUrl} is not reachable (${reason}); --format avro needs it to register the rating schema`,
        'start the platform (npm run up; npm run status shows the registry), point WORKSHOP_SCHEMA_REGISTRY_URL at your registry, or use --format json',
      );
    }
    throw new WorkshopError(
      `the Schema Registry at ${registryUrl} refused the rating schema for subject ${subject}: ${reason}`,
      `if an older schema is registered under ${subject}, produce to another --topic, or delete the subject (curl -X DELETE ${registryUrl}/subjects/${subject})`,
    );
  }
}

/** Encodes ratings with a registered schema id; the client fetches the schema by id once and caches it. */
export function avroEncoder(registryUrl: string, schemaId: number): (rating: Rating) => Promise<Buffer> {
  const registry = registryClient(registryUrl);
  return async (rating) => {
    try {
      return await registry.encode(schemaId, rating);
    } catch (error) {
      const { answered, reason } = explain(error);
      if (!answered) {
        throw new EnvironmentError(`the Schema Registry at ${registryUrl} is not reachable (${reason})`);
      }
      throw new WorkshopError(`could not encode rating ${rating.rating_id} with schema ${schemaId}: ${reason}`);
    }
  };
}
