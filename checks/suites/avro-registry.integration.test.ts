/**
 * `datagen --format avro` against the real Confluent Schema Registry, read back by a consumer no one here wrote:
 * ksqlDB, declaring a stream with VALUE_FORMAT='AVRO' and no column list, must find every field of the rating with
 * its type from the registered schema, and decode the records. (datagen/avro.test.ts covers the same client against
 * the stand-in registry where no registry is installed.)
 */
import { afterAll, expect, it } from 'vitest';
import { KsqlClient, typeName } from '#checks/clients/ksqldb.js';
import { ratingSubject } from '#datagen/avro.js';
import { seededCustomerIds } from '#datagen/customers.js';
import { ratingFields } from '#datagen/rating-schema.js';
import { startRatings } from '#datagen/ratings-producer.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { describeWithSchemaRegistry } from '#workshop/dev/testing/stack-context.js';

const ksqlTypes: Record<string, string> = { long: 'BIGINT', int: 'INTEGER', string: 'STRING' };

describeWithSchemaRegistry('Avro ratings through the real Schema Registry, read by ksqlDB', (stack) => {
  const topic = `datagen-avro-${Date.now()}`;
  const stream = `AVRO_RATINGS_${Date.now()}`;
  const client = () => new KsqlClient(checkContext(stack()).services);

  afterAll(async () => {
    await client()
      .statements(`DROP STREAM IF EXISTS ${stream} DELETE TOPIC;`)
      .catch(() => undefined);
  });

  it('registers the rating schema under <topic>-value and writes records ksqlDB decodes with it', async () => {
    const summary = await startRatings({
      bootstrapServers: [stack().kafka.bootstrapServers],
      customers: seededCustomerIds,
      format: 'avro',
      schemaRegistryUrl: stack().schemaRegistryUrl,
      topic,
      rate: 'max',
      count: 50,
    }).done;
    expect(summary).toMatchObject({ acknowledged: 50 });

    // The registry's own view: the subject, one version, the rating's fields.
    const subject = ratingSubject(topic);
    const subjects = (await (await fetch(`${stack().schemaRegistryUrl}/subjects`)).json()) as string[];
    expect(subjects).toContain(subject);
    const latest = (await (await fetch(`${stack().schemaRegistryUrl}/subjects/${subject}/versions/latest`)).json()) as {
      version: number;
      schema: string;
    };
    expect(latest.version).toBe(1);
    const registered = JSON.parse(latest.schema) as { fields: { name: string; type: string }[] };
    expect(registered.fields.map((f) => f.name)).toEqual(ratingFields.map((f) => f.name));

    // ksqlDB, told nothing but the topic and the format, finds every column with its type in the registry.
    await client().statements(
      `CREATE STREAM ${stream} WITH (KAFKA_TOPIC='${topic}', KEY_FORMAT='KAFKA', VALUE_FORMAT='AVRO');`,
    );
    const described = await client().describe(stream);
    const columns = Object.fromEntries(
      (described?.fields ?? []).filter((f) => f.type !== 'KEY').map((f) => [f.name, typeName(f.schema)]),
    );
    expect(columns).toEqual(
      Object.fromEntries(ratingFields.map((f) => [f.name.toUpperCase(), ksqlTypes[f.type] ?? f.type])),
    );

    // And reads the records back, decoded.
    const result = await client().query(`SELECT RATING_ID, STARS, CHANNEL FROM ${stream} EMIT CHANGES LIMIT 5;`, {
      'auto.offset.reset': 'earliest',
    });
    expect(result.rows).toHaveLength(5);
    for (const [ratingId, stars, channel] of result.rows) {
      expect(Number(ratingId)).toBeGreaterThanOrEqual(1);
      expect(Number(stars)).toBeGreaterThanOrEqual(1);
      expect(typeof channel).toBe('string');
    }
  });
});
