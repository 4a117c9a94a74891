/**
 * The ksqlDB expectation kinds on any machine: ksqlDB's side answered by the scripted stand-in (shapes recorded from
 * a real 8.0.7 server), the data side in the local stack's real Kafka, written in ksqlDB's own formats (JSON keys,
 * upper-case value columns, windowed keys as key bytes plus the 8-byte window start, the processing log as its
 * structured JSON). The same kinds run against the real ksqlDB in ksql-steps.integration.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KsqlNotReady } from '#checks/clients/ksqldb.js';
import { Services } from '#checks/clients/services.js';
import type { ExpectationKind } from '#checks/kind.js';
import { Params } from '#checks/kind.js';
import { ksqlFilter } from '#checks/kinds/ksql-filter.js';
import { ksqlJoin } from '#checks/kinds/ksql-join.js';
import { ksqlObject } from '#checks/kinds/ksql-object.js';
import { ksqlWindowCounts } from '#checks/kinds/ksql-window-counts.js';
import type { Observation } from '#checks/types.js';
import { loadConfig } from '#core/config.js';
import { kafkaClient } from '#core/kafka-client.js';
import { systemClock } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import type { StandIn } from '#workshop/dev/stack/standins.js';
import type { SourceSpec } from '#workshop/dev/testing/ksqldb-shapes.js';
import { type KsqlScript, scriptedKsqlDb } from '#workshop/dev/testing/ksqldb-standin.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

interface Message {
  key: string | Buffer | null;
  value: string | null;
  timestamp?: number;
}

describeWithStack('ksqlDB checks against a stand-in ksqlDB and real Kafka', (stack) => {
  let standIn: StandIn | undefined;
  let kafka: Kafka;
  const script: KsqlScript = { sources: [] };

  beforeAll(() => {
    kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers });
  });

  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function produce(topic: string, messages: Message[]) {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: messages.map((m) => ({
          ...m,
          timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
        })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /** One look of a kind, against the stand-in scripted with these sources. */
  async function look<P>(
    kind: ExpectationKind<P>,
    params: Record<string, unknown>,
    sources: SourceSpec[],
    extra: Partial<KsqlScript> = {},
  ) {
    script.sources = sources;
    script.pull = extra.pull;
    standIn = await scriptedKsqlDb(script);
    const config = loadConfig({ ...workshopEnv(stack()), WORKSHOP_KSQLDB_URL: standIn.url });
    const parsed = kind.parse(new Params(params, 'test'));
    return kind.observe(
      parsed,
      { config, services: new Services(config), passive: true, clock: systemClock },
      {},
      { deadline: Date.now() + 10_000, stepId: 'step-4' },
    ) as Promise<Observation>;
  }

  const unique = () => randomUUID().slice(0, 8);
  const ratingsStream = (topic: string, readers: string[] = []): SourceSpec => ({
    name: 'RATINGS',
    type: 'STREAM',
    topic,
    keyFormat: 'JSON',
    valueFormat: 'JSON',
    readers,
    fields: [
      { name: 'RATING_ID', type: 'BIGINT', key: true },
      { name: 'USER_ID', type: 'INTEGER' },
      { name: 'STARS', type: 'INTEGER' },
      { name: 'CHANNEL', type: 'STRING' },
      { name: 'MESSAGE', type: 'STRING' },
    ],
  });
  const ratingsObject = {
    name: 'RATINGS',
    type: 'STREAM',
    key: 'RATING_ID',
    keyTypes: { JSON: ['BIGINT', 'INTEGER'], KAFKA: 'STRING' },
    columns: { STARS: ['INTEGER', 'BIGINT'], MESSAGE: 'STRING' },
    valueFormat: 'JSON',
  };

  describe('ksql-object', () => {
    it('passes on a stream declared as the step says', async () => {
      const observation = await look(ksqlObject, ratingsObject, [ratingsStream('ratings')]);
      expect(observation).toEqual({
        outcome: 'pass',
        found: 'STREAM over "ratings", key RATING_ID BIGINT (JSON), 4 columns (JSON)',
      });
    });

    it('a BIGINT key in the KAFKA format, with ksqlDB’s message from its processing log', async () => {
      const queryId = `CSAS_POOR_RATINGS_${unique()}`;
      const topic = `ratings-${unique()}`;
      // A record as ksqlDB's StructuredJsonLayout writes it to the processing log (ksql-images' log4j2 template).
      await produce('default_ksql_processing_log', [
        {
          key: null,
          value: JSON.stringify({
            level: 'ERROR',
            logger: `processing.${queryId}.KsqlTopic.Source.deserializer`,
            time: Date.now(),
            message: {
              type: 0,
              deserializationError: {
                target: 'key',
                errorMessage: `Error deserializing KAFKA message from topic: ${topic}`,
                recordB64: 'NDI=',
                cause: ['Size of data received by LongDeserializer is not 8'],
                topic,
              },
              recordProcessingError: null,
              productionError: null,
              serializationError: null,
              kafkaStreamsThreadError: null,
            },
          }),
        },
      ]);
      const reader: SourceSpec = {
        name: 'POOR_RATINGS',
        type: 'STREAM',
        topic: 'poor_ratings',
        keyFormat: 'KAFKA',
        valueFormat: 'JSON',
        fields: [],
        writer: { id: queryId, queryString: 'CREATE STREAM POOR_RATINGS AS SELECT …', state: 'RUNNING', committed: {} },
      };
      const observation = await look(ksqlObject, ratingsObject, [
        { ...ratingsStream(topic, [queryId]), keyFormat: 'KAFKA' },
        reader,
      ]);
      expect(observation.outcome).toBe('fail');
      expect(observation.found).toBe(
        `key RATING_ID BIGINT in KEY_FORMAT 'KAFKA', which cannot read the keys of "${topic}"; ksqlDB could not read the key of a record of topic "${topic}": Error deserializing KAFKA message from topic: ${topic}: Size of data received by LongDeserializer is not 8`,
      );
      expect(observation.hint).toBe(
        "declare the key as RATING_ID with BIGINT or INTEGER in KEY_FORMAT 'JSON', or STRING in KEY_FORMAT 'KAFKA': drop RATINGS and create it again",
      );
    });

    it.each([
      ['a table where a stream belongs', { ...ratingsStream('ratings'), type: 'TABLE' as const }, 'RATINGS is a TABLE'],
      [
        'a column missing',
        { ...ratingsStream('ratings'), fields: ratingsStream('ratings').fields.filter((f) => f.name !== 'STARS') },
        'no value column STARS; columns: RATING_ID, USER_ID, CHANNEL, MESSAGE',
      ],
      ['the wrong topic', ratingsStream('Ratings'), 'RATINGS reads topic "Ratings"'],
    ])('%s', async (_, source, found) => {
      expect(await look(ksqlObject, { ...ratingsObject, topic: 'ratings' }, [source])).toMatchObject({
        outcome: 'fail',
        found,
      });
    });

    it('a name in the wrong case, quoted', async () => {
      const observation = await look(ksqlObject, ratingsObject, [{ ...ratingsStream('ratings'), name: 'Ratings' }]);
      expect(observation).toMatchObject({
        outcome: 'fail',
        found: 'no stream or table RATINGS, but there is STREAM `Ratings` (a quoted name keeps its case)',
      });
    });

    const counts = (
      window: string,
      state = 'RUNNING',
      queryErrors?: { timestamp: number; errorMessage: string; type: string }[],
    ): SourceSpec => ({
      name: 'COUNTS',
      type: 'TABLE',
      topic: 'counts',
      keyFormat: 'JSON',
      valueFormat: 'JSON',
      windowType: window.includes('HOPPING') ? 'HOPPING' : 'TUMBLING',
      fields: [
        { name: 'CLUB_STATUS', type: 'STRING', key: true },
        { name: 'RATING_COUNT', type: 'BIGINT' },
      ],
      writer: {
        id: 'CTAS_COUNTS_9',
        // As ksqlDB stores it (DESCRIBE … EXTENDED on 8.0.7).
        queryString: `CREATE TABLE COUNTS WITH (KAFKA_TOPIC='counts') AS SELECT\n  S.CLUB_STATUS CLUB_STATUS,\n  COUNT(*) RATING_COUNT\nFROM S S\n${window} \nGROUP BY S.CLUB_STATUS\nEMIT CHANGES;`,
        state,
        committed: {},
        queryErrors,
      },
    });
    const countsObject = {
      name: 'COUNTS',
      type: 'TABLE',
      key: 'CLUB_STATUS',
      window: 'TUMBLING',
      windowSizeMs: 60_000,
      written: true,
    };

    it.each([
      [
        'the window the step asks for',
        'WINDOW TUMBLING ( SIZE 1 MINUTES )',
        'RUNNING',
        'pass',
        /^TABLE over "counts", key CLUB_STATUS STRING \(JSON\), 1 columns \(JSON\), TUMBLING window, written by CTAS_COUNTS_9 \(RUNNING\)$/,
      ],
      ['a five-minute window', 'WINDOW TUMBLING ( SIZE 5 MINUTES )', 'RUNNING', 'fail', /^a TUMBLING window of 5 min$/],
      [
        'a hopping window',
        'WINDOW HOPPING ( SIZE 1 MINUTES , ADVANCE BY 30 SECONDS )',
        'RUNNING',
        'fail',
        /^a HOPPING window$/,
      ],
      [
        'a query still starting',
        'WINDOW TUMBLING ( SIZE 1 MINUTES )',
        'REBALANCING',
        'not-yet',
        /^query CTAS_COUNTS_9 is REBALANCING$/,
      ],
    ])('%s', async (_, window, state, outcome, found) => {
      expect(await look(ksqlObject, countsObject, [counts(window, state)])).toMatchObject({
        outcome,
        found: expect.stringMatching(found),
      });
    });

    it('a query in ERROR, with ksqlDB’s own error', async () => {
      const observation = await look(ksqlObject, countsObject, [
        counts('WINDOW TUMBLING ( SIZE 1 MINUTES )', 'ERROR', [
          { timestamp: 1, errorMessage: 'Error serializing message to topic: counts', type: 'USER' },
        ]),
      ]);
      expect(observation).toMatchObject({
        outcome: 'fail',
        found: 'query CTAS_COUNTS_9 is in ERROR: Error serializing message to topic: counts',
        hint: 'see why with EXPLAIN CTAS_COUNTS_9; then drop COUNTS (DELETE TOPIC) and create it again',
      });
    });
  });

  describe('ksql-filter', () => {
    const params = {
      source: 'RATINGS',
      output: 'POOR_RATINGS',
      id: 'RATING_ID',
      where: [{ column: 'STARS', op: '<', value: 3 }],
    };
    // Forty ratings as the producer writes them: text keys, lower-case JSON values; stars 1..5 in turn.
    const ratings = Array.from({ length: 40 }, (_, i) => ({
      rating_id: i + 1,
      user_id: (i % 20) + 1,
      stars: (i % 5) + 1,
      channel: 'web',
      message: `m${i + 1}`,
    }));
    /** The output as ksqlDB writes it: the key column in the key (JSON), the other columns upper-case in the value. */
    const asOutput = (r: (typeof ratings)[number]) => ({
      key: String(r.rating_id),
      value: JSON.stringify({ USER_ID: r.user_id, STARS: r.stars, CHANNEL: r.channel, MESSAGE: r.message }),
    });
    async function setUp(output: Message[], committed = 40) {
      const input = `ratings-${unique()}`;
      const poor = `poor_ratings-${unique()}`;
      await produce(
        input,
        ratings.map((r) => ({ key: String(r.rating_id), value: JSON.stringify(r) })),
      );
      await produce(poor, output);
      return [
        ratingsStream(input),
        {
          name: 'POOR_RATINGS',
          type: 'STREAM' as const,
          topic: poor,
          keyFormat: 'JSON',
          valueFormat: 'JSON',
          fields: [],
          writer: {
            id: 'CSAS_POOR_RATINGS_3',
            queryString: '…',
            state: 'RUNNING',
            committed: { [input]: [committed] },
          },
        },
      ];
    }

    it('passes when every poor rating and nothing else is there', async () => {
      const sources = await setUp(ratings.filter((r) => r.stars < 3).map(asOutput));
      expect(await look(ksqlFilter, params, sources)).toEqual({
        outcome: 'pass',
        found:
          'all 16 records with STARS < 3 among the newest 40 processed records of RATINGS are there, and nothing else',
      });
    });

    it('fails on a rating that is not poor, naming it', async () => {
      const sources = await setUp(ratings.filter((r) => r.stars <= 3).map(asOutput));
      expect(await look(ksqlFilter, params, sources)).toMatchObject({
        outcome: 'fail',
        found: 'POOR_RATINGS holds RATING_ID 3 with STARS 3, which is not STARS < 3',
      });
    });

    it('fails on a poor rating missing, naming it', async () => {
      const sources = await setUp(ratings.filter((r) => r.stars < 2).map(asOutput));
      expect(await look(ksqlFilter, params, sources)).toMatchObject({
        outcome: 'fail',
        found:
          '8 of the 16 processed records of RATINGS with STARS < 3 are not in POOR_RATINGS, e.g. RATING_ID 2 with STARS 2',
      });
    });

    it('is not yet sure while the query has processed too little', async () => {
      const sources = await setUp(
        ratings
          .slice(0, 3)
          .filter((r) => r.stars < 3)
          .map(asOutput),
        3,
      );
      expect(await look(ksqlFilter, params, sources)).toMatchObject({
        outcome: 'not-yet',
        found: '2 of the newest 3 processed records have STARS < 3; judging needs 5',
      });
    });
  });

  describe('ksql-join', () => {
    const customers = [
      { id: 1, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', club_status: 'platinum' },
      { id: 2, first_name: 'Alan', last_name: 'Turing', email: 'alan@example.com', club_status: 'gold' },
    ];
    const params = {
      stream: 'RATINGS',
      table: 'CUSTOMERS',
      output: 'ENRICHED',
      id: 'RATING_ID',
      on: 'USER_ID',
      fields: { FULL_NAME: '{first_name} {last_name}', CLUB_STATUS: '{club_status}', EMAIL: '{email}' },
    };
    const now = Date.now();
    // Ratings by customers 1 and 2 and by a guest (-1), all after the customers' rows arrived.
    const ratings = Array.from({ length: 12 }, (_, i) => ({
      rating_id: i + 1,
      user_id: [1, 2, -1][i % 3] ?? -1,
      stars: 2,
    }));
    const enriched = (r: (typeof ratings)[number], customer = customers.find((c) => c.id === r.user_id)) => ({
      key: String(r.user_id),
      value: JSON.stringify({
        RATING_ID: r.rating_id,
        STARS: r.stars,
        // ksqlDB's + joins nulls as text: a rating that found no customer gets "null null".
        FULL_NAME: customer ? `${customer.first_name} ${customer.last_name}` : 'null null',
        CLUB_STATUS: customer?.club_status ?? null,
        EMAIL: customer?.email ?? null,
      }),
      timestamp: now + r.rating_id,
    });
    async function setUp(output: Message[]) {
      const [input, table, out] = [`ratings-${unique()}`, `customers-${unique()}`, `enriched-${unique()}`];
      // Debezium's records after step 3's transforms: the bare id as the JSON key, the row as the value.
      await produce(
        table,
        customers.map((c) => ({ key: String(c.id), value: JSON.stringify(c), timestamp: now - 60_000 })),
      );
      await produce(
        input,
        ratings.map((r) => ({ key: String(r.rating_id), value: JSON.stringify(r), timestamp: now + r.rating_id })),
      );
      await produce(out, output);
      const sources: SourceSpec[] = [
        ratingsStream(input),
        { name: 'CUSTOMERS', type: 'TABLE', topic: table, keyFormat: 'JSON', valueFormat: 'JSON', fields: [] },
        {
          name: 'ENRICHED',
          type: 'STREAM',
          topic: out,
          keyFormat: 'JSON',
          valueFormat: 'JSON',
          fields: [],
          writer: {
            id: 'CSAS_ENRICHED_7',
            queryString: '…',
            state: 'RUNNING',
            committed: { [input]: [12], [table]: [2] },
          },
        },
      ];
      return sources;
    }

    it('passes when each customer’s rating carries that customer’s row, and guests are left out', async () => {
      const sources = await setUp(ratings.filter((r) => r.user_id > 0).map((r) => enriched(r)));
      expect(await look(ksqlJoin, params, sources)).toEqual({
        outcome: 'pass',
        found:
          'all 8 records of RATINGS that have a row in CUSTOMERS are there with FULL_NAME, CLUB_STATUS, EMAIL from that row; 4 without one',
      });
    });

    it('fails on another customer’s data (a join on the wrong column)', async () => {
      const sources = await setUp(ratings.filter((r) => r.user_id > 0).map((r) => enriched(r, customers[1])));
      expect(await look(ksqlJoin, params, sources)).toMatchObject({
        outcome: 'fail',
        found:
          'RATING_ID 1 by USER_ID 1 carries FULL_NAME "Alan Turing", CLUB_STATUS "gold", EMAIL "alan@example.com", but row 1 of CUSTOMERS gives FULL_NAME "Ada Lovelace", CLUB_STATUS "platinum", EMAIL "ada@example.com"',
      });
    });

    it('fails on records the join found no row for (no WHERE)', async () => {
      const sources = await setUp(ratings.map((r) => enriched(r)));
      expect(await look(ksqlJoin, params, sources)).toMatchObject({
        outcome: 'fail',
        found: `ENRICHED holds RATING_ID 3 by USER_ID -1 without a row's fields (FULL_NAME "null null", CLUB_STATUS null, EMAIL null): it found no row when it arrived`,
      });
    });

    it('fails when the customers’ ratings are missing (a table that reads no key)', async () => {
      const sources = await setUp([]);
      expect(await look(ksqlJoin, params, sources)).toMatchObject({
        outcome: 'fail',
        found:
          '8 of the 8 processed records of RATINGS whose USER_ID has a row in CUSTOMERS are not in ENRICHED, e.g. RATING_ID 1 by USER_ID 1',
      });
    });
  });

  describe('ksql-window-counts', () => {
    const minute = 60_000;
    const base = Math.floor((Date.now() - 10 * minute) / minute) * minute;
    const statuses = ['platinum', 'gold', 'platinum', 'silver', 'platinum'];
    // Ratings in two minutes, then one three minutes on: the query's stream time has passed both.
    const source = [
      ...statuses.map((s, i) => ({ status: s, at: base + 1_000 * (i + 1) })),
      ...statuses.slice(0, 3).map((s, i) => ({ status: s, at: base + minute + 1_000 * (i + 1) })),
      { status: 'gold', at: base + 3 * minute },
    ];
    /** A windowed key as ksqlDB writes it: the JSON key, then the window start as 8 big-endian bytes. */
    const windowedKey = (status: string, start: number) => {
      const end = Buffer.alloc(8);
      end.writeBigInt64BE(BigInt(start));
      return Buffer.concat([Buffer.from(JSON.stringify(status)), end]);
    };
    const params = {
      table: 'COUNTS',
      source: 'ENRICHED',
      groupBy: 'CLUB_STATUS',
      count: 'RATING_COUNT',
      windowMs: minute,
    };
    async function setUp(counts: [string, number, number][]) {
      const [enriched, table] = [`enriched-${unique()}`, `counts-${unique()}`];
      await produce(
        enriched,
        source.map((r, i) => ({
          key: '1',
          value: JSON.stringify({ RATING_ID: i, CLUB_STATUS: r.status }),
          timestamp: r.at,
        })),
      );
      await produce(
        table,
        counts.map(([status, start, n]) => ({
          key: windowedKey(status, start),
          value: JSON.stringify({ RATING_COUNT: n }),
          timestamp: start + 1,
        })),
      );
      const sources: SourceSpec[] = [
        { name: 'ENRICHED', type: 'STREAM', topic: enriched, keyFormat: 'JSON', valueFormat: 'JSON', fields: [] },
        {
          name: 'COUNTS',
          type: 'TABLE',
          topic: table,
          keyFormat: 'JSON',
          valueFormat: 'JSON',
          windowType: 'TUMBLING',
          fields: [],
          writer: {
            id: 'CTAS_COUNTS_9',
            queryString: '…',
            state: 'RUNNING',
            committed: { [enriched]: [source.length] },
          },
        },
      ];
      return sources;
    }
    const pull =
      (size = minute) =>
      () => ({
        columnNames: ['CLUB_STATUS', 'WINDOWSTART', 'WINDOWEND', 'RATING_COUNT'],
        columnTypes: ['STRING', 'BIGINT', 'BIGINT', 'BIGINT'],
        rows: [['platinum', base + minute, base + minute + size, 2]],
      });
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

    const judged = `${clock(base + minute)}–${clock(base + 2 * minute)} (UTC)`;

    it('passes when the newest closed window’s counts equal a recount (the latest update of each key counts)', async () => {
      // Stream time is three minutes on: the newest closed window is the second minute, platinum 2 and gold 1.
      const sources = await setUp([
        ['platinum', base, 3],
        ['platinum', base + minute, 1],
        ['platinum', base + minute, 2],
        ['gold', base + minute, 1],
      ]);
      expect(await look(ksqlWindowCounts, params, sources, { pull: pull() })).toEqual({
        outcome: 'pass',
        found: `window ${judged}: gold 1, platinum 2, as in ENRICHED; a pull query answers 1 row(s), each window 60 s`,
      });
    });

    it('fails when the counts differ from a recount, showing both', async () => {
      const sources = await setUp([['platinum', base + minute, 2]]);
      expect(await look(ksqlWindowCounts, params, sources, { pull: pull() })).toMatchObject({
        outcome: 'fail',
        found: `for the window ${judged}, COUNTS counts platinum 2; ENRICHED holds gold 1, platinum 2`,
      });
    });

    it('fails when a pull query answers windows of another size', async () => {
      const sources = await setUp([]);
      expect(await look(ksqlWindowCounts, params, sources, { pull: pull(5 * minute) })).toMatchObject({
        outcome: 'fail',
        found: `a pull query answers a window from ${clock(base + minute)} to ${clock(base + 6 * minute)}: 300 s long`,
      });
    });

    it('is not yet sure while a pull query is not answered (a restart’s rebalance)', async () => {
      const sources = await setUp([]);
      // The client says ksqlDB is in a passing state; the engine looks again until the deadline, then says "not
      // yet" (checks/engine.test.ts), never an error.
      const attempt = look(ksqlWindowCounts, params, sources, {
        pull: () => ({
          error:
            "Error starting pull query: Materialized data for key ['EU'] is not available yet. Please try again later.",
        }),
      });
      await expect(attempt).rejects.toBeInstanceOf(KsqlNotReady);
      await expect(attempt).rejects.toMatchObject({ exitCode: 4 });
    });
  });
});
