/**
 * The Schema Registry cannot run on the kit's test machines, so these tests use a stand-in that answers with the
 * registry's documented shapes (REST API v1: /config/{subject}, /subjects/{subject}/versions, /schemas/ids/{id}).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { avroEncoder, registerRatingSchema } from './avro.js';
import { RatingSequence } from './rating.js';
import { ratingAvroSchema } from './rating-schema.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

const contentType = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let server: Server | undefined;

async function standInRegistry(options: { refuse?: boolean; silentOn?: RegExp } = {}) {
  const seen: Seen[] = [];
  const schemas = new Map<number, string>();
  server = createServer(async (request, response) => {
    const text = await body(request);
    seen.push({ method: request.method ?? '', url: request.url ?? '', body: text });
    // A registry that accepts the request and never answers it.
    if (options.silentOn?.test(`${request.method} ${request.url}`)) return;
    const reply = (status: number, payload: unknown) =>
      response.writeHead(status, contentType).end(JSON.stringify(payload));
    const url = request.url ?? '';
    if (request.method === 'GET' && url.startsWith('/config/')) {
      const subject = decodeURIComponent(url.slice('/config/'.length));
      return reply(404, {
        error_code: 40408,
        message: `Subject '${subject}' does not have subject-level compatibility configured`,
      });
    }
    if (request.method === 'PUT' && url.startsWith('/config/')) return reply(200, JSON.parse(text));
    if (request.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(url)) {
      if (options.refuse) {
        return reply(409, {
          error_code: 409,
          message: 'Schema being registered is incompatible with an earlier schema for subject "ratings-value"',
        });
      }
      schemas.set(7, (JSON.parse(text) as { schema: string }).schema);
      return reply(200, { id: 7 });
    }
    const byId = /^\/schemas\/ids\/(\d+)$/.exec(url);
    if (request.method === 'GET' && byId && schemas.has(Number(byId[1]))) {
      return reply(200, { schema: schemas.get(Number(byId[1])) });
    }
    return reply(404, { error_code: 40401, message: 'not found' });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('--format avro', () => {
  it('registers the rating schema under <topic>-value and encodes values in Confluent’s wire format', async () => {
    const registry = await standInRegistry();
    const id = await registerRatingSchema(registry.url, 'ratings');
    expect(id).toBe(7);
    const registration = registry.seen.find((r) => r.method === 'POST');
    expect(registration?.url).toBe('/subjects/ratings-value/versions');
    expect(JSON.parse(JSON.parse(registration?.body ?? '{}').schema)).toEqual(ratingAvroSchema);

    const rating = new RatingSequence({ seed: 3 }).make(1, 1_763_791_200_000);
    const value = await avroEncoder(registry.url, id)(rating);
    expect(value[0]).toBe(0); // magic byte
    expect(value.readInt32BE(1)).toBe(7); // schema id
    // A reader that knows only the registry gets the rating back.
    expect(await new SchemaRegistry({ host: registry.url }).decode(value)).toEqual(rating);
  });

  it('says clearly when the registry is not reachable: an environment problem, with what to do', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await registerRatingSchema(url, 'ratings').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      `the Schema Registry at ${url} is not reachable (ECONNREFUSED); --format avro needs it to register the rating schema`,
    );
    expect((error as EnvironmentError).hint).toContain('WORKSHOP_SCHEMA_REGISTRY_URL');
    expect((error as EnvironmentError).exitCode).toBe(3);
  });

  it('gives up on a registry that does not answer: every request has a deadline', async () => {
    const registry = await standInRegistry({ silentOn: /./ });
    const error = await registerRatingSchema(registry.url, 'ratings', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      `the Schema Registry at ${registry.url} is not reachable (no answer within 0.3 s); --format avro needs it to register the rating schema`,
    );
    expect((error as EnvironmentError).hint).toContain('WORKSHOP_SCHEMA_REGISTRY_URL');
    expect((error as EnvironmentError).exitCode).toBe(3);
  });

  it('gives up encoding when the registry does not give the schema back', async () => {
    const registry = await standInRegistry({ silentOn: /^GET \/schemas\/ids\// });
    const id = await registerRatingSchema(registry.url, 'ratings', { timeoutMs: 300 });
    const encode = avroEncoder(registry.url, id, { timeoutMs: 300 });
    const error = await encode(new RatingSequence({ seed: 3 }).make(1, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      `the Schema Registry at ${registry.url} is not reachable (no answer within 0.3 s); --format avro needs it for schema 7`,
    );
    expect((error as EnvironmentError).hint).toContain('WORKSHOP_SCHEMA_REGISTRY_URL');
  });

  it('passes on the registry’s reason when it refuses the schema', async () => {
    const registry = await standInRegistry({ refuse: true });
    const error = await registerRatingSchema(registry.url, 'ratings').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkshopError);
    expect(error).not.toBeInstanceOf(EnvironmentError);
    expect((error as WorkshopError).message).toBe(
      `the Schema Registry at ${registry.url} refused the rating schema for subject ratings-value: Schema being registered is incompatible with an earlier schema for subject "ratings-value"`,
    );
  });
});
