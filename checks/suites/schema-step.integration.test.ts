/**
 * Step 11 on the real Schema Registry, ksqlDB, Kafka Connect with Debezium and Confluent's Avro converter, and
 * MariaDB: the step passes on its reference solution, reset leaves nothing of it behind, and each seeded fault (a
 * learner's likely mistake) fails with its own message. The ratings are the learner's: the kit's producer, started
 * by solve, as are step 3's connector and step 4's RATINGS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { loadCourse, type Resource } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { applyConnector, applyResource, readConnectorFile } from '#checks/resources/index.js';
import type { StepResult } from '#checks/types.js';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithSchemaRegistry } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-11');
if (!step) throw new Error('no step-11');
const customersSubject = 'mysql_avro.demo.CUSTOMERS-value';
const customersTopic = 'mysql_avro.demo.CUSTOMERS';

/** The expectations that did not pass, by object: what each found. */
function misses(result: StepResult): Record<string, { outcome: string; found?: string; hint?: string }> {
  return Object.fromEntries(
    result.expectations
      .filter((e) => e.outcome !== 'pass')
      .map((e) => [e.object, { outcome: e.outcome, found: e.found, hint: e.hint }]),
  );
}

describeWithSchemaRegistry('step 11: schemas and evolution on a real Schema Registry and ksqlDB', (stack) => {
  let env: Record<string, string>;
  let state: string;
  let files: string;
  const context = () => checkContext(stack());
  const registry = (p: string) =>
    fetch(`${stack().schemaRegistryUrl}${p}`, { signal: AbortSignal.timeout(10_000) }).then(
      async (r) => [r.status, await r.json()] as const,
    );
  const check = () => runStep(step, context(), { deadlineScale: 0.3, intervalMs: 500 });
  const checkUntil = (wanted: (r: StepResult) => boolean, timeoutMs = 60_000) =>
    waitFor({
      what: 'step-11 to reach the expected verdict',
      timeoutMs,
      intervalMs: 1_000,
      probe: async () => {
        const result = await check();
        return wanted(result) ? result : new NotYet(JSON.stringify(misses(result)));
      },
    });
  const resource = <K extends Resource['kind']>(kind: K) =>
    step.solution.find((r) => r.kind === kind) as Extract<Resource, { kind: K }>;
  const apply = async (...kinds: Resource['kind'][]) => {
    for (const kind of kinds) await applyResource(context().services, resource(kind), step);
  };
  const customerColumns = async () => {
    const { host, port, user, password, database } = stack().mariadb;
    const db = await mysql.createConnection({ host, port, user, password, database });
    try {
      const [columns] = await db.query('SHOW COLUMNS FROM CUSTOMERS');
      return (columns as { Field: string }[]).map((c) => c.Field);
    } finally {
      await db.end();
    }
  };
  const produce = async (topic: string, value: Buffer | string) => {
    const kafka = kafkaClient({ clientId: 'schema-step-test', brokers: stack().kafka.bootstrapServers });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key: '"7"', value }] });
    } finally {
      await producer.disconnect();
    }
  };

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'schema-step-state-'));
    files = mkdtempSync(path.join(os.tmpdir(), 'schema-step-files-'));
    env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
    const reset = await runCli(['reset'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const solve = await runCli(['solve', 'step-4'], env);
    expect(solve.code, solve.stdout + solve.stderr).toBe(0);
  }, 240_000);

  beforeEach(async () => {
    const reset = await runCli(['reset', 'step-11'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (env) await runCli(['reset'], env);
    rmSync(state, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  }, 120_000);

  it('fails before anything is made, naming the stream', async () => {
    const result = await check();
    expect(result.outcome).toBe('fail');
    expect(misses(result)['ksqlDB stream RATINGS_AVRO']?.found).toMatch(/^no stream or table RATINGS_AVRO/);
    expect(misses(result)['Schema Registry subject "ratings_avro-value"']?.found).toMatch(
      /not in the registry \(40401 Subject 'ratings_avro-value' not found\.\)/,
    );
  });

  it('passes on the reference solution; solving again changes nothing; reset leaves no subject, column or topic', async () => {
    expect(await customerColumns()).not.toContain('loyalty_points');
    await apply('schema-registry', 'ksql', 'connector', 'mysql');
    expect(await customerColumns()).toContain('loyalty_points');
    const result = await checkUntil((r) => r.outcome === 'pass');
    expect(result.expectations.map((e) => e.outcome)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    const customers = result.expectations.find((e) => e.object === `Schema Registry subject "${customersSubject}"`);
    expect(customers?.found).toMatch(
      /^2 versions \(1, 2\); newest is version 2, .*loyalty_points; compatibility FULL$/,
    );

    const again = [
      ...(await applyResource(context().services, resource('schema-registry'), step)),
      ...(await applyResource(context().services, resource('ksql'), step)),
      ...(await applyResource(context().services, resource('connector'), step)),
    ];
    expect(again).toEqual([
      `Schema Registry subject "${customersSubject}": compatibility already FULL, left unchanged`,
      'ksqlDB stream RATINGS_AVRO: already there and its check finds nothing wrong, left unchanged',
      expect.stringMatching(/^connector "customers-avro": already as in .*, left unchanged$/),
    ]);

    const reset = await runCli(['reset', 'step-11'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const [, subjects] = await registry('/subjects?deleted=true');
    expect(subjects).not.toContain(customersSubject);
    expect(subjects).not.toContain('ratings_avro-value');
    const [status] = await registry(`/config/${customersSubject}`);
    expect(status).toBe(404);
    const topics = await context().services.withKafkaAdmin((admin) => admin.listTopics());
    expect(topics.filter((t) => t === 'ratings_avro' || t.startsWith('mysql_avro.'))).toEqual([]);
    expect(await customerColumns()).not.toContain('loyalty_points');
  });

  it('a subject soft-deleted by hand (ksqlDB then refuses DROP … DELETE TOPIC): reset still removes everything', async () => {
    await apply('schema-registry', 'ksql');
    await checkUntil((r) => !misses(r)['Schema Registry subject "ratings_avro-value"']);
    const soft = await fetch(`${stack().schemaRegistryUrl}/subjects/ratings_avro-value`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(10_000),
    });
    expect(soft.status).toBe(200);
    const reset = await runCli(['reset', 'step-11'], env);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toContain(
      'Schema Registry subject "ratings_avro-value" was soft-deleted already: deleted for good so RATINGS_AVRO could go',
    );
    expect(await new KsqlClient(context().services).describe('RATINGS_AVRO')).toBeUndefined();
    const [, subjects] = await registry('/subjects?deleted=true');
    expect(subjects).not.toContain('ratings_avro-value');
  });

  it('RATINGS_AVRO written as JSON: the stream’s format is named, and no subject appears', async () => {
    await new KsqlClient(context().services).statements(
      "CREATE STREAM RATINGS_AVRO WITH (KAFKA_TOPIC = 'ratings_avro', VALUE_FORMAT = 'JSON', PARTITIONS = 6) AS SELECT * FROM RATINGS EMIT CHANGES;",
      { 'auto.offset.reset': 'earliest' },
    );
    await apply('schema-registry', 'connector', 'mysql');
    const result = await checkUntil((r) => misses(r)['ksqlDB stream RATINGS_AVRO']?.outcome === 'fail');
    expect(misses(result)['ksqlDB stream RATINGS_AVRO']).toMatchObject({
      found: 'value format JSON',
      hint: "drop it with its topic (DROP STREAM RATINGS_AVRO DELETE TOPIC;) and create it again WITH (VALUE_FORMAT = 'AVRO')",
    });
    expect(misses(result)['topic "ratings_avro"']).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(/is not Avro in Confluent's wire format: text that looks like JSON/),
    });
  });

  it('compatibility left at the default: the level found is named, with the command that sets it', async () => {
    await apply('ksql', 'connector', 'mysql');
    const result = await checkUntil((r) => misses(r)[`Schema Registry subject "${customersSubject}"`] !== undefined);
    expect(Object.keys(misses(result))).toEqual([`Schema Registry subject "${customersSubject}"`]);
    expect(misses(result)[`Schema Registry subject "${customersSubject}"`]).toMatchObject({
      outcome: 'fail',
      found: 'compatibility BACKWARD (the registry’s default: none set for this subject)',
      hint: expect.stringContaining(`--data '{"compatibility": "FULL"}' ${stack().schemaRegistryUrl}/config/`),
    });
  });

  it('the table never changed: one version, and the missing field named', async () => {
    await apply('schema-registry', 'ksql', 'connector');
    const result = await checkUntil((r) =>
      /^1 version/.test(misses(r)[`Schema Registry subject "${customersSubject}"`]?.found ?? ''),
    );
    expect(misses(result)[`Schema Registry subject "${customersSubject}"`]?.outcome).toBe('not-yet');
    expect(misses(result)[`Schema Registry subject "${customersSubject}"`]?.found).toMatch(
      /^1 version \(1\); newest is version 1, schema id \d+, fields id, first_name, .*update_ts; no loyalty_points/,
    );
  });

  it('the connector left on the JSON converter: the subject is missing in the registry’s words, and the topic is not Avro', async () => {
    await apply('schema-registry', 'ksql');
    const { name, config } = readConnectorFile(resource('connector').file);
    const file = path.join(files, 'customers-avro.json');
    const { 'value.converter.schema.registry.url': _url, ...rest } = config;
    writeFileSync(
      file,
      JSON.stringify({
        name,
        config: {
          ...rest,
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
        },
      }),
    );
    await applyConnector(context().services, file);
    const result = await checkUntil((r) => misses(r)[`topic "${customersTopic}"`]?.outcome === 'fail');
    expect(misses(result)[`Schema Registry subject "${customersSubject}"`]?.found).toMatch(
      /^not in the registry \(40401 Subject 'mysql_avro\.demo\.CUSTOMERS-value' not found\.\); subjects: ratings_avro-value/,
    );
    expect(misses(result)[`topic "${customersTopic}"`]?.found).toMatch(
      /^the record at partition 0, offset \d+ is not Avro in Confluent's wire format: text that looks like JSON \("\{\\"id\\":/,
    );
  });

  it('a record written with another subject’s schema: both subjects are named', async () => {
    await apply('schema-registry', 'ksql', 'connector', 'mysql');
    await checkUntil((r) => r.outcome === 'pass');
    // A rating in Avro, as ksqlDB wrote it, copied to the customers' topic by a producer that picked the wrong one.
    const [, latest] = await registry('/subjects/ratings_avro-value/versions/latest');
    const id = (latest as { id: number }).id;
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    await produce(customersTopic, Buffer.concat([header, Buffer.from([2, 8])]));
    const result = await checkUntil((r) => misses(r)[`topic "${customersTopic}"`]?.outcome === 'fail');
    expect(misses(result)[`topic "${customersTopic}"`]?.found).toMatch(
      new RegExp(
        `^the record at partition 0, offset \\d+ was written with schema id ${id}, registered under "ratings_avro-value", not "${customersSubject.replaceAll('.', '\\.')}"$`,
      ),
    );
  });

  it('a JSON record among the Avro ratings: its partition and offset are named', async () => {
    await apply('schema-registry', 'ksql', 'connector', 'mysql');
    await checkUntil((r) => r.outcome === 'pass');
    await produce('ratings_avro', JSON.stringify({ USER_ID: 7, STARS: 1 }));
    const result = await checkUntil((r) => misses(r)['topic "ratings_avro"']?.outcome === 'fail');
    expect(misses(result)['topic "ratings_avro"']).toMatchObject({
      found: expect.stringMatching(
        /^the record at partition \d, offset \d+ is not Avro in Confluent's wire format: text that looks like JSON \("\{\\"USER_ID\\":7/,
      ),
      hint: expect.stringContaining('reset the step'),
    });
  });

  it('the guide’s queries: DESCRIBE through npm run ksql shows the columns from the registry; the FULL request is taken', async () => {
    await apply('ksql');
    const run = await runCli(['ksql', '-f', path.join(step.folder, 'queries', 'describe-ratings-avro.sql')], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('STREAM RATINGS_AVRO: topic ratings_avro, key format JSON, value format AVRO');
    for (const column of ['USER_ID     | INTEGER', 'RATING_TIME | BIGINT', 'MESSAGE     | STRING']) {
      expect(run.stdout).toContain(column);
    }
    const put = await fetch(`${stack().schemaRegistryUrl}/config/${customersSubject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: readFileSync(path.join(step.folder, 'queries', 'compatibility-full.json'), 'utf8'),
      signal: AbortSignal.timeout(10_000),
    });
    expect([put.status, await put.json()]).toEqual([200, { compatibility: 'FULL' }]);
  });

  it('an incompatible schema is refused with the registry’s 409 and its reason, and nothing changes', async () => {
    await apply('schema-registry', 'ksql', 'connector', 'mysql');
    await checkUntil((r) => r.outcome === 'pass');
    const body = readFileSync(path.join(step.folder, 'queries', 'club-status-as-number.json'), 'utf8');
    const post = (p: string) =>
      fetch(`${stack().schemaRegistryUrl}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body,
        signal: AbortSignal.timeout(10_000),
      }).then(async (r) => [r.status, await r.json()] as const);
    const [, verdict] = await post(`/compatibility/subjects/${customersSubject}/versions/latest?verbose=true`);
    expect(verdict).toMatchObject({ is_compatible: false });
    expect((verdict as { messages: string[] }).messages.join('\n')).toMatch(
      /TYPE_MISMATCH.*reader type: STRING not compatible with writer type: INT/,
    );
    const [status, refusal] = await post(`/subjects/${customersSubject}/versions`);
    expect(status).toBe(409);
    expect(refusal).toMatchObject({ error_code: 40901, message: expect.stringMatching(/incompatible.*TYPE_MISMATCH/) });
    const [, versions] = await registry(`/subjects/${customersSubject}/versions`);
    expect(versions).toEqual([1, 2]);
  });
});
