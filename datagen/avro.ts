/**
 * `--format avro`: the rating schema registered with the Schema Registry under `<topic>-value`, and values in
 * Confluent's wire format (a zero byte, the schema id, the Avro bytes) so ksqlDB and Connect read them with the
 * registry. The registry client is @kafkajs/confluent-schema-registry.
 *
 * Every request to the registry has a deadline: the client has no timeout of its own, and a registry that accepts the
 * connection but never answers would otherwise hold the run forever.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { formatSeconds } from '#core/wait.js';
import { type Rating, ratingAvroSchema } from './rating-schema.js';

export function ratingSubject(topic: string): string {
  return `${topic}-value`;
}

/** How long one request to the registry may take, from connecting to the last byte of the answer. */
export const registryTimeoutMs = 5_000;

type Middleware = NonNullable<NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number]>;

/** A mappersmith middleware that aborts each request after `ms` (an AbortSignal covers connecting too). */
function abortAfter(ms: number): Middleware {
  return () => ({
    prepareRequest: (next) => next().then((request) => request.enhance({ signal: AbortSignal.timeout(ms) })),
  });
}

/** A registry client whose every request has a deadline (the checks decode records with one too). */
export function registryClient(url: string, timeoutMs: number, clientId = 'workshop-datagen'): SchemaRegistry {
  // Few retries: an unreachable registry should be reported in seconds, not minutes.
  return new SchemaRegistry({
    host: url,
    clientId,
    retry: { retries: 1, maxRetryTimeInSecs: 1 },
    middlewares: [abortAfter(timeoutMs)],
  });
}

const registryHint =
  'start the platform (npm run up; npm run status shows the registry), point WORKSHOP_SCHEMA_REGISTRY_URL at your registry, or use --format json';

/** Why a registry call failed, in a sentence, and whether the registry answered at all. */
function explain(error: unknown, timeoutMs: number): { answered: boolean; reason: string } {
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  // The deadline's abort reaches us as a failed request whose message says it was aborted.
  if (/operation was aborted|AbortError|Timeout/i.test(message)) {
    return { answered: false, reason: `no answer within ${formatSeconds(timeoutMs)}` };
  }
  // mappersmith reports a connection that never happened as a response with status 400 and no body from the server.
  const network = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|timeout/i.exec(message);
  if (network) return { answered: false, reason: network[0] };
  return { answered: typeof status === 'number', reason: message.replace(/^workshop-datagen - /, '') };
}

export interface RegistryOptions {
  /** The deadline of each request; registryTimeoutMs if not given. */
  timeoutMs?: number;
}

/** Registers the rating schema for `topic` and returns its id. */
export async function registerRatingSchema(
  registryUrl: string,
  topic: string,
  { timeoutMs = registryTimeoutMs }: RegistryOptions = {},
): Promise<number> {
  const subject = ratingSubject(topic);
  try {
    const { id } = await registryClient(registryUrl, timeoutMs).register(
      { type: SchemaType.AVRO, schema: JSON.stringify(ratingAvroSchema) },
      { subject },
    );
    return id;
  } catch (error) {
    const { answered, reason } = explain(error, timeoutMs);
    if (!answered) {
      throw new EnvironmentError(
        `the Schema Registry at ${registryUrl} is not reachable (${reason}); --format avro needs it to register the rating schema`,
        registryHint,
      );
    }
    throw new WorkshopError(
      `the Schema Registry at ${registryUrl} refused the rating schema for subject ${subject}: ${reason}`,
      `if an older schema is registered under ${subject}, produce to another --topic, or delete the subject (curl -X DELETE ${registryUrl}/subjects/${subject})`,
    );
  }
}

/** Encodes ratings with a registered schema id; the client fetches the schema by id once and caches it. */
export function avroEncoder(
  registryUrl: string,
  schemaId: number,
  { timeoutMs = registryTimeoutMs }: RegistryOptions = {},
): (rating: Rating) => Promise<Buffer> {
  const registry = registryClient(registryUrl, timeoutMs);
  return async (rating) => {
    try {
      return await registry.encode(schemaId, rating);
    } catch (error) {
      const { answered, reason } = explain(error, timeoutMs);
      if (!answered) {
        throw new EnvironmentError(
          `the Schema Registry at ${registryUrl} is not reachable (${reason}); --format avro needs it for schema ${schemaId}`,
          registryHint,
        );
      }
      throw new WorkshopError(`could not encode rating ${rating.rating_id} with schema ${schemaId}: ${reason}`);
    }
  };
}
