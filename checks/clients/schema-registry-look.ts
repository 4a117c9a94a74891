/**
 * What the Schema Registry kinds and the registry resource share: a subject's versions, its newest schema, the
 * compatibility level that applies to it, and the registry's own words for a refusal.
 *
 * Shapes (Confluent Schema Registry REST API v1, https://docs.confluent.io/platform/current/schema-registry/develop/api.html,
 * seen on the real 8.0.7 built here): errors are `{"error_code": 40401, "message": "Subject 'x' not found."}`;
 * GET /subjects/{s}/versions is `[1, 2]`; GET /subjects/{s}/versions/latest is
 * `{"subject", "version", "id", "guid", "schemaType", "schema", "ts", "deleted"}` with the schema as text (older
 * registries leave `schemaType` out for AVRO); GET /config/{s} is `{"compatibilityLevel": "FULL"}`, or 40408 when the
 * subject has no level of its own; an incompatible schema is HTTP 409 with error code 40901, an invalid one HTTP 422
 * with 42201.
 */
import { EnvironmentError } from '#core/errors.js';
import type { Services } from './services.js';

export interface RegistryRefusal {
  error_code?: number;
  message?: string;
}

/** The registry's refusal in its own words: "40401 Subject 'x' not found.". */
export function registryMessage(body: unknown, status: number): string {
  const refusal = (body ?? {}) as RegistryRefusal;
  if (typeof refusal.message === 'string') {
    return `${refusal.error_code ?? status} ${refusal.message}`;
  }
  return `HTTP ${status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
}

/** A 5xx is the registry's trouble (often its Kafka store starting), never the learner's mistake. */
function serverTrouble(what: string, status: number, body: unknown): EnvironmentError {
  return new EnvironmentError(
    `the Schema Registry answered ${what} with ${registryMessage(body, status)}`,
    'see npm run logs -- schema-registry, then check again',
  );
}

/** Error codes the registry gives for a subject that is not there (40401) or was soft-deleted (40404). */
export const subjectMissingCodes = [40401, 40404];

export type SubjectVersions = { versions: number[] } | { missing: string };

export async function subjectVersions(services: Services, subject: string): Promise<SubjectVersions> {
  const path = `/subjects/${encodeURIComponent(subject)}/versions`;
  const answer = await services.schemaRegistry<number[] | RegistryRefusal>(path);
  if (answer.status >= 500) throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  if (answer.status === 404) return { missing: registryMessage(answer.body, answer.status) };
  if (answer.status !== 200 || !Array.isArray(answer.body)) {
    throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  }
  return { versions: answer.body };
}

export interface RegisteredSchema {
  subject: string;
  version: number;
  id: number;
  schemaType: string;
  /** The schema, parsed (Avro schemas are JSON). */
  schema: unknown;
}

/** A version of a subject ("latest" for the newest), or the registry's message when there is none. */
export async function subjectSchema(
  services: Services,
  subject: string,
  version: number | 'latest' = 'latest',
): Promise<RegisteredSchema | { missing: string }> {
  const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
  const answer = await services.schemaRegistry<
    { subject: string; version: number; id: number; schema: string; schemaType?: string } & RegistryRefusal
  >(path);
  if (answer.status >= 500) throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  if (answer.status === 404) return { missing: registryMessage(answer.body, answer.status) };
  const body = answer.body;
  if (answer.status !== 200 || typeof body?.schema !== 'string') {
    throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  }
  let schema: unknown = body.schema;
  try {
    schema = JSON.parse(body.schema);
  } catch {
    // Protobuf schemas are not JSON: keep the text
  }
  return { subject: body.subject, version: body.version, id: body.id, schemaType: body.schemaType ?? 'AVRO', schema };
}

/** The field names of an Avro record schema, in order ([] for anything else). */
export function avroFieldNames(schema: unknown): string[] {
  const fields = (schema as { fields?: { name?: unknown }[] } | null)?.fields;
  return Array.isArray(fields) ? fields.map((f) => String(f.name)) : [];
}

/** The compatibility level a subject is held to: its own, or the registry's global one. */
export async function compatibilityOf(services: Services, subject: string): Promise<{ level: string; own: boolean }> {
  const path = `/config/${encodeURIComponent(subject)}`;
  const own = await services.schemaRegistry<{ compatibilityLevel?: string } & RegistryRefusal>(path);
  if (own.status === 200 && typeof own.body?.compatibilityLevel === 'string') {
    return { level: own.body.compatibilityLevel, own: true };
  }
  if (own.status !== 404) throw serverTrouble(`GET ${path}`, own.status, own.body);
  const global = await services.schemaRegistry<{ compatibilityLevel?: string } & RegistryRefusal>('/config');
  if (global.status !== 200 || typeof global.body?.compatibilityLevel !== 'string') {
    throw serverTrouble('GET /config', global.status, global.body);
  }
  return { level: global.body.compatibilityLevel, own: false };
}

/** The subjects a schema id is registered under, with their versions (GET /schemas/ids/{id}/versions). */
export async function subjectsOfSchemaId(
  services: Services,
  id: number,
): Promise<{ subject: string; version: number }[] | { missing: string }> {
  const path = `/schemas/ids/${id}/versions`;
  const answer = await services.schemaRegistry<{ subject: string; version: number }[] | RegistryRefusal>(path);
  if (answer.status >= 500) throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  if (answer.status === 404) return { missing: registryMessage(answer.body, answer.status) };
  if (!Array.isArray(answer.body)) throw serverTrouble(`GET ${path}`, answer.status, answer.body);
  return answer.body;
}
