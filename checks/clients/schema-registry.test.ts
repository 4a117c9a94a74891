/**
 * The Schema Registry kind and resource against a stand-in registry, for machines where no real one is installed
 * (checks/suites/schema-step.integration.test.ts runs the same on the real one). The stand-in keeps subjects in memory and
 * answers with the shapes the real Confluent Schema Registry 8.0.7 gave here (its REST API v1,
 * https://docs.confluent.io/platform/current/schema-registry/develop/api.html): `[1,2]` for a subject's versions;
 * `{subject, version, id, guid, schemaType, schema, ts, deleted}` for one version; `{"compatibilityLevel": "FULL"}` for
 * a level; and the error bodies and codes of its source (core/.../rest/exceptions/Errors.java at v8.0.7):
 * 40401 "Subject 'x' not found.", 40405 "Subject 'x' was not deleted first before being permanently deleted",
 * 40408 "Subject 'x' does not have subject-level compatibility configured", and RestInvalidCompatibilityException's
 * 42203 (HTTP 422) for a level it does not know.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '#checks/course.js';
import { schemaSubject } from '#checks/kinds/schema-subject.js';
import { sqlStatements } from '#checks/resources/mysql.js';
import { applySchemaRegistry, removeSchemaRegistry } from '#checks/resources/schema-registry.js';
import { loadConfig } from '#core/config.js';
import { systemClock } from '#core/wait.js';
import { registryMessage } from './schema-registry-look.js';
import { ServiceAbsent, Services, ServiceUnavailable } from './services.js';

interface Subject {
  versions: { id: number; schema: string }[];
  deleted: boolean;
}

const customers = (fields: string[]) =>
  JSON.stringify({
    type: 'record',
    name: 'Value',
    namespace: 'mysql_avro.demo.CUSTOMERS',
    fields: fields.map((name) => ({ name, type: ['null', 'string'], default: null })),
  });

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function standInRegistry(subjects: Record<string, Subject>, configs: Record<string, string> = {}) {
  const calls: string[] = [];
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://registry');
    const method = request.method ?? 'GET';
    calls.push(`${method} ${url.pathname}${url.search}`);
    const reply = (status: number, body: unknown) =>
      response
        .writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
        .end(JSON.stringify(body));
    const notFound = (subject: string) => reply(404, { error_code: 40401, message: `Subject '${subject}' not found.` });
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === 'subjects' && parts.length === 1) {
      return reply(
        200,
        Object.keys(subjects).filter((s) => !subjects[s]?.deleted),
      );
    }
    if (parts[0] === 'config' && parts.length === 1) return reply(200, { compatibilityLevel: 'BACKWARD' });
    if (parts[0] === 'config') {
      const subject = parts[1] as string;
      if (method === 'PUT') {
        const wanted = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { compatibility: string }).compatibility;
        if (!['NONE', 'BACKWARD', 'FORWARD', 'FULL'].includes(wanted.replace(/_TRANSITIVE$/, ''))) {
          return reply(422, {
            error_code: 42203,
            message:
              'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
          });
        }
        configs[subject] = wanted;
        return reply(200, { compatibility: configs[subject] });
      }
      const level = configs[subject];
      if (level === undefined) {
        return reply(404, {
          error_code: 40408,
          message: `Subject '${subject}' does not have subject-level compatibility configured`,
        });
      }
      if (method === 'DELETE') delete configs[subject];
      return reply(200, { compatibilityLevel: level });
    }
    if (parts[0] === 'subjects') {
      const name = parts[1] as string;
      const subject = subjects[name];
      if (method === 'DELETE') {
        if (!subject) return notFound(name);
        const numbers = subject.versions.map((_, i) => i + 1);
        if (url.searchParams.get('permanent') === 'true') {
          if (!subject.deleted) {
            return reply(404, {
              error_code: 40405,
              message: `Subject '${name}' was not deleted first before being permanently deleted`,
            });
          }
          delete subjects[name];
          return reply(200, numbers);
        }
        if (subject.deleted) {
          return reply(404, {
            error_code: 40404,
            message: `Subject '${name}' was soft deleted.Set permanent=true to delete permanently`,
          });
        }
        subject.deleted = true;
        return reply(200, numbers);
      }
      if (!subject || subject.deleted) return notFound(name);
      if (parts[2] === 'versions' && parts.length === 3)
        return reply(
          200,
          subject.versions.map((_, i) => i + 1),
        );
      const index = parts[3] === 'latest' ? subject.versions.length - 1 : Number(parts[3]) - 1;
      const version = subject.versions[index];
      if (!version) return reply(404, { error_code: 40402, message: `Version ${parts[3]} not found.` });
      return reply(200, {
        subject: name,
        version: index + 1,
        id: version.id,
        guid: '6afb7cd4-e19d-502f-1e18-b7312646691f',
        schemaType: 'AVRO',
        schema: version.schema,
        ts: 1796396000450,
        deleted: false,
      });
    }
    return reply(404, { error_code: 404, message: 'HTTP 404 Not Found' });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const services = new Services(loadConfig({ WORKSHOP_SCHEMA_REGISTRY_URL: url }));
  return { url, services, calls, subjects, configs };
}

const context = (services: Services) => ({ config: services.config, services, passive: false, clock: systemClock });
const observe = (services: Services) =>
  schemaSubject.observe(expectation, context(services), {}, { deadline: Date.now() + 5_000, stepId: 'step-11' });
const expectation = {
  subject: 'mysql_avro.demo.CUSTOMERS-value',
  minVersions: 2,
  compatibility: 'FULL',
  fields: ['loyalty_points'],
};

describe('schema-subject', () => {
  it('a subject not there: not yet, in the registry’s words, with the subjects it has', async () => {
    const { services } = await standInRegistry({
      'ratings_avro-value': { versions: [{ id: 1, schema: '{}' }], deleted: false },
    });
    const seen = await observe(services);
    expect(seen).toMatchObject({
      outcome: 'not-yet',
      found:
        "not in the registry (40401 Subject 'mysql_avro.demo.CUSTOMERS-value' not found.); subjects: ratings_avro-value",
    });
  });

  it('the wrong compatibility level: fails, saying whether it is the subject’s own or the default', async () => {
    const one = { versions: [{ id: 2, schema: customers(['id']) }], deleted: false };
    let registry = await standInRegistry({ 'mysql_avro.demo.CUSTOMERS-value': one });
    expect(await observe(registry.services)).toMatchObject({
      outcome: 'fail',
      found: 'compatibility BACKWARD (the registry’s default: none set for this subject)',
      hint: expect.stringContaining(`${registry.url}/config/mysql_avro.demo.CUSTOMERS-value`),
    });
    server?.closeAllConnections();
    server?.close();
    registry = await standInRegistry(
      { 'mysql_avro.demo.CUSTOMERS-value': one },
      { 'mysql_avro.demo.CUSTOMERS-value': 'NONE' },
    );
    expect(await observe(registry.services)).toMatchObject({
      outcome: 'fail',
      found: 'compatibility NONE (set for this subject)',
    });
  });

  it('one version without the new field: not yet, naming the field and the versions', async () => {
    const { services } = await standInRegistry(
      {
        'mysql_avro.demo.CUSTOMERS-value': {
          versions: [{ id: 2, schema: customers(['id', 'club_status']) }],
          deleted: false,
        },
      },
      { 'mysql_avro.demo.CUSTOMERS-value': 'FULL' },
    );
    expect(await observe(services)).toMatchObject({
      outcome: 'not-yet',
      found: '1 version (1); newest is version 1, schema id 2, fields id, club_status; no loyalty_points',
    });
  });

  it('passes with two versions, the level and the field', async () => {
    const { services } = await standInRegistry(
      {
        'mysql_avro.demo.CUSTOMERS-value': {
          versions: [
            { id: 2, schema: customers(['id']) },
            { id: 3, schema: customers(['id', 'loyalty_points']) },
          ],
          deleted: false,
        },
      },
      { 'mysql_avro.demo.CUSTOMERS-value': 'FULL' },
    );
    expect(await observe(services)).toEqual({
      outcome: 'pass',
      found: '2 versions (1, 2); newest is version 2, schema id 3, fields id, loyalty_points; compatibility FULL',
    });
  });

  it('refuses an unknown level in a step file', () => {
    const params = { only: () => undefined, optionalString: () => 'SOMETIMES' } as never;
    expect(() => schemaSubject.parse(params)).toThrow(/"compatibility" must be one of NONE, BACKWARD/);
  });
});

describe('the schema-registry resource', () => {
  const resource: Extract<Resource, { kind: 'schema-registry' }> = {
    kind: 'schema-registry',
    subjects: ['ratings_avro-value', 'mysql_avro.demo.CUSTOMERS-value'],
    compatibility: { 'mysql_avro.demo.CUSTOMERS-value': 'FULL' },
  };

  it('solve sets a level once; again, it leaves it', async () => {
    const registry = await standInRegistry({});
    expect(await applySchemaRegistry(registry.services, resource)).toEqual([
      'Schema Registry subject "mysql_avro.demo.CUSTOMERS-value": compatibility set to FULL',
    ]);
    expect(registry.configs).toEqual({ 'mysql_avro.demo.CUSTOMERS-value': 'FULL' });
    expect(await applySchemaRegistry(registry.services, resource)).toEqual([
      'Schema Registry subject "mysql_avro.demo.CUSTOMERS-value": compatibility already FULL, left unchanged',
    ]);
  });

  it('solve shows a level the registry refuses in the registry’s own words', async () => {
    const registry = await standInRegistry({});
    await expect(
      applySchemaRegistry(registry.services, { ...resource, compatibility: { 'ratings_avro-value': 'SOMETIMES' } }),
    ).rejects.toThrow(
      'the Schema Registry refused compatibility SOMETIMES for "ratings_avro-value": 42203 Invalid compatibility level. Valid values are none',
    );
  });

  it('reset deletes soft, then hard (the registry refuses hard first), then the level; a missing subject is no error', async () => {
    const registry = await standInRegistry(
      {
        'mysql_avro.demo.CUSTOMERS-value': {
          versions: [
            { id: 2, schema: '{}' },
            { id: 3, schema: '{}' },
          ],
          deleted: false,
        },
      },
      { 'mysql_avro.demo.CUSTOMERS-value': 'FULL' },
    );
    expect(await removeSchemaRegistry(registry.services, resource)).toEqual([
      'Schema Registry subject "mysql_avro.demo.CUSTOMERS-value" deleted (soft, then hard: 2 version(s))',
      'Schema Registry subject "mysql_avro.demo.CUSTOMERS-value": its compatibility level removed',
    ]);
    expect(registry.calls.filter((c) => c.startsWith('DELETE'))).toEqual([
      'DELETE /subjects/ratings_avro-value',
      'DELETE /subjects/ratings_avro-value?permanent=true',
      'DELETE /subjects/mysql_avro.demo.CUSTOMERS-value',
      'DELETE /subjects/mysql_avro.demo.CUSTOMERS-value?permanent=true',
      'DELETE /config/mysql_avro.demo.CUSTOMERS-value',
    ]);
    expect(registry.subjects).toEqual({});
    expect(registry.configs).toEqual({});
  });

  it('reset of a registry that is down ends with the error that names it, for reset to say what it left', async () => {
    const services = new Services(loadConfig({ WORKSHOP_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9' }));
    const failure = await removeSchemaRegistry(services, resource).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceUnavailable);
    expect(failure).not.toBeInstanceOf(ServiceAbsent);
    expect((failure as Error).message).toMatch(/^Schema Registry at http:\/\/127\.0\.0\.1:9 is not reachable/);
  });

  it('tries nothing where the platform runs no registry, and says so (exit 3)', async () => {
    const services = new Services(loadConfig({ WORKSHOP_SCHEMA_REGISTRY_URL: 'none' }));
    const failure = await removeSchemaRegistry(services, resource).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceAbsent);
    expect((failure as ServiceAbsent).exitCode).toBe(3);
    expect((failure as Error).message).toBe(
      'Schema Registry is not part of this platform (WORKSHOP_SCHEMA_REGISTRY_URL=none)',
    );
  });
});

describe('the registry’s refusals and SQL files', () => {
  it('shows a refusal in the registry’s own words, and anything else by its status', () => {
    // The real 8.0.7's answer to an invalid schema (HTTP 422).
    expect(
      registryMessage(
        { error_code: 42201, message: 'Invalid schema of type AVRO, details: Undefined schema: nosuchtype' },
        422,
      ),
    ).toBe('42201 Invalid schema of type AVRO, details: Undefined schema: nosuchtype');
    expect(registryMessage('<html>Bad Gateway</html>', 502)).toBe('HTTP 502: <html>Bad Gateway</html>');
  });

  it('splits an SQL file into its statements, comments dropped', () => {
    expect(
      sqlStatements(
        '-- a comment\nALTER TABLE T ADD COLUMN c INT;\n\n-- another\nUPDATE T SET c = 1\n  WHERE id = 2;\n',
      ),
    ).toEqual(['ALTER TABLE T ADD COLUMN c INT', 'UPDATE T SET c = 1\n  WHERE id = 2']);
  });
});
