/**
 * Step 8 on the local stack: real Kafka, real Kafka Connect (its converters, transforms and predicates), the sink
 * stand-in plugin registered under Confluent's class name, and the real Elasticsearch. The three input topics are fed
 * here with records shaped as steps 5-7 write them (the windowed key too), so this suite needs no ksqlDB; the
 * rehearsal runs the same step on ksqlDB's own output. Each seeded fault is a learner's likely mistake, and each must
 * fail with its own message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTimestampTemplate, timestampTemplateName } from '#checks/clients/index-template.js';
import { loadCourse } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { applyConnector, applyResource, readConnectorFile } from '#checks/resources/index.js';
import type { StepResult } from '#checks/types.js';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-8');
if (!step) throw new Error('no step-8');
const solutionFile = path.join(step.folder, 'solution', 'elasticsearch-sink.json');

function verdict(result: StepResult) {
  const decisive = result.expectations.find((e) => e.outcome !== 'pass') ?? result.expectations.at(-1);
  return { outcome: result.outcome, object: decisive?.object, found: decisive?.found, hint: decisive?.hint };
}

/** A windowed key as ksqlDB writes it with KEY_FORMAT JSON: the key's JSON, then the window start as 8 bytes. */
function windowedKey(status: string, windowStart: number): Buffer {
  const start = Buffer.alloc(8);
  start.writeBigInt64BE(BigInt(windowStart));
  return Buffer.concat([Buffer.from(JSON.stringify(status)), start]);
}

const statuses = ['bronze', 'silver', 'gold', 'platinum'];

describeWithStack('step 8: the Elasticsearch sink on real Connect and Elasticsearch', (stack) => {
  let env: Record<string, string>;
  let state: string;
  let files: string;
  let producer: Producer;
  let feeding: NodeJS.Timeout | undefined;
  const counts = new Map<string, number>();
  let ratingId = 0;
  const context = () => checkContext(stack());
  const testKafka = () => kafkaClient({ clientId: 'es-step-test', brokers: stack().kafka.bootstrapServers });
  const es = (p: string, init: RequestInit = {}) =>
    fetch(`${stack().elasticsearch.url}${p}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  const check = () => runStep(step, context(), { deadlineScale: 0.3, intervalMs: 500 });
  const checkUntil = (wanted: (r: StepResult) => boolean, timeoutMs = 60_000) =>
    waitFor({
      what: 'step-8 to reach the expected verdict',
      timeoutMs,
      intervalMs: 1_000,
      probe: async () => {
        const result = await check();
        return wanted(result) ? result : new NotYet(JSON.stringify(verdict(result)));
      },
    });
  const failsWith = async (object: string, found: RegExp) => {
    const result = await checkUntil((r) => r.outcome === 'fail' && verdict(r).object === object);
    expect(verdict(result).found).toMatch(found);
    return verdict(result);
  };
  /** The solution's connector file with some settings changed, as a learner's own file (applied as written). */
  const learnerFile = (name: string, change: (config: Record<string, string>) => void) => {
    const file = readConnectorFile(solutionFile);
    const config = { ...file.config, 'connection.url': stack().elasticsearch.url };
    change(config);
    const target = path.join(files, `${name}.json`);
    writeFileSync(target, JSON.stringify({ name: file.name, config }, null, 2));
    return target;
  };
  const applyLearnerFile = async (name: string, change: (config: Record<string, string>) => void) =>
    applyConnector(context().services, learnerFile(name, change));

  /** One rating a tick to both streams of ratings, and the count of the current minute for its club status. */
  async function feed() {
    ratingId += 1;
    const status = statuses[ratingId % statuses.length] as string;
    const now = Date.now();
    const rating = {
      ID: (ratingId % 20) + 1,
      RATING_ID: ratingId,
      STARS: (ratingId % 5) + 1,
      ROUTE_ID: 100 + ratingId,
      RATING_TIME: now,
      CHANNEL: 'web',
      MESSAGE: `rating number ${ratingId}`,
      FULL_NAME: 'Ada Lovelace',
      CLUB_STATUS: status,
      EMAIL: 'ada@example.com',
    };
    const windowStart = now - (now % 60_000);
    const windowId = `${status}/${windowStart}`;
    const count = (counts.get(windowId) ?? 0) + 1;
    counts.set(windowId, count);
    const key = JSON.stringify(rating.ID);
    await producer.sendBatch({
      topicMessages: [
        {
          topic: 'ratings_with_customer_data',
          messages: [{ key, value: JSON.stringify(rating), timestamp: String(now) }],
        },
        {
          topic: 'unhappy_platinum_customers',
          messages: [{ key, value: JSON.stringify(rating), timestamp: String(now) }],
        },
        {
          topic: 'ratings_by_club_status_1min',
          messages: [
            {
              key: windowedKey(status, windowStart),
              value: JSON.stringify({
                RATING_COUNT: count,
                STATUS: status,
                WINDOW_START_TS: windowStart,
                WINDOW_ID: windowId,
              }),
              timestamp: String(now),
            },
          ],
        },
      ],
    });
  }

  /** Step 8's own solution, without catching up steps 2-7 as npm run solve does (the topics are fed here). */
  const solveOnly = async () => {
    const lines: string[] = [];
    for (const resource of step.solution) lines.push(...(await applyResource(context().services, resource, step)));
    return lines.join('\n');
  };

  const reset = async () => {
    const result = await runCli(['reset', 'step-8'], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  };

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'es-step-state-'));
    files = mkdtempSync(path.join(os.tmpdir(), 'es-step-files-'));
    env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state };
    const cleared = await runCli(['reset'], env);
    expect(cleared.code, cleared.stdout + cleared.stderr).toBe(0);
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['ratings_with_customer_data', 'unhappy_platinum_customers', 'ratings_by_club_status_1min'].map(
        (topic) => ({ topic, numPartitions: 1 }),
      ),
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 12; i++) await feed();
    feeding = setInterval(() => void feed().catch(() => undefined), 300);
  }, 120_000);

  afterAll(async () => {
    if (feeding) clearInterval(feeding);
    await producer?.disconnect();
    await ensureTimestampTemplate(stack().elasticsearch.url);
    if (env) await runCli(['reset'], env);
    rmSync(state, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  }, 120_000);

  beforeEach(async () => {
    await ensureTimestampTemplate(stack().elasticsearch.url);
    await reset();
  }, 60_000);

  it('fails before the connector exists, naming it', async () => {
    expect(verdict(await check())).toMatchObject({
      outcome: 'fail',
      object: 'connector "elasticsearch-sink"',
      found: expect.stringMatching(/^no connector(s at all| of that name)/),
    });
  });

  it('passes once solved: every index holds the newest records as documents', async () => {
    await solveOnly();
    const result = await checkUntil((r) => r.outcome === 'pass');
    expect(result.expectations.map((e) => e.found).slice(1)).toEqual([
      expect.stringMatching(/^5 newest record\(s\) of "ratings_with_customer_data" found as documents/),
      expect.stringMatching(/^5 newest record\(s\) of "unhappy_platinum_customers" found as documents/),
      expect.stringMatching(/^\d newest record\(s\) of "ratings_by_club_status_1min" found as documents/),
    ]);
    // The counts: one document per club status and minute, its id the WINDOW_ID, replaced as the count grows.
    await es('/ratings_by_club_status_1min/_refresh', { method: 'POST' });
    const search = (await (await es('/ratings_by_club_status_1min/_search?size=100')).json()) as {
      hits: { hits: { _id: string; _source: { WINDOW_ID: string } }[] };
    };
    for (const hit of search.hits.hits) expect(hit._id).toBe(hit._source.WINDOW_ID);
    const mapping = (await (await es('/ratings_with_customer_data/_mapping')).json()) as Record<
      string,
      { mappings: { properties: Record<string, { type: string }> } }
    >;
    expect(mapping.ratings_with_customer_data?.mappings.properties.RATING_TIME?.type).toBe('date');
  });

  it('a topic missing from "topics"', async () => {
    await applyLearnerFile('no-unhappy', (c) => {
      c.topics = 'ratings_with_customer_data,ratings_by_club_status_1min';
    });
    const found = await failsWith(
      'Elasticsearch index "unhappy_platinum_customers"',
      /^no index "unhappy_platinum_customers": connector "elasticsearch-sink" does not read topic "unhappy_platinum_customers" \(its topics: ratings_with_customer_data, ratings_by_club_status_1min\)$/,
    );
    expect(found.hint).toMatch(/add unhappy_platinum_customers to the connector's "topics"/);
  });

  it('key.ignore true for the counts: they pile up', async () => {
    await applyLearnerFile('pile-up', (c) => {
      c['key.ignore'] = 'true';
      delete c['topic.key.ignore'];
    });
    await failsWith(
      'Elasticsearch index "ratings_by_club_status_1min"',
      /^\d+ documents for WINDOW_ID "\w+\/\d+", ids like "ratings_by_club_status_1min\+0\+\d+" \(topic\+partition\+offset\): each update of a row is a new document, so the rows pile up$/,
    );
  });

  it('the ksqlDB key as the id: every minute overwrites the last', async () => {
    await applyLearnerFile('overwrite', (c) => {
      for (const name of Object.keys(c)) if (/^(transforms|predicates)/.test(name)) delete c[name];
    });
    const found = await failsWith(
      'Elasticsearch index "ratings_by_club_status_1min"',
      /^the newest record's document has id "(bronze|silver|gold|platinum)", not its WINDOW_ID "\w+\/\d+": rows with the same id overwrite each other$/,
    );
    expect(found.hint).toMatch(/make WINDOW_ID the key \(ValueToKey, then ExtractField\$Key on WINDOW_ID\)/);
  });

  it('the key as the id for the ratings: ratings by one customer overwrite each other', async () => {
    await applyLearnerFile('ratings-key', (c) => {
      delete c['topic.key.ignore'];
    });
    await failsWith(
      'Elasticsearch index "ratings_with_customer_data"',
      /^the newest record's document has id "\d+", not "ratings_with_customer_data\+0\+\d+": the id is the record key, so records with the same key overwrite each other$/,
    );
  });

  it('the connector paused', async () => {
    await applyLearnerFile('paused', () => undefined);
    await checkUntil((r) => r.outcome === 'pass');
    await context().services.connect('/connectors/elasticsearch-sink/pause', { method: 'PUT' });
    const found = await failsWith('connector "elasticsearch-sink"', /^PAUSED$/);
    expect(found.hint).toBe('resume it: npm run connector -- resume elasticsearch-sink');
  });

  it('no index template: the time field is a long; solve replaces the index and the sink fills it again', async () => {
    const removed = await es(`/_index_template/${timestampTemplateName}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    await applyLearnerFile('no-template', () => undefined);
    const found = await failsWith(
      'Elasticsearch index "ratings_with_customer_data"',
      /^RATING_TIME is mapped as long, not date$/,
    );
    expect(found.hint).toMatch(/index template "workshop-timestamps"/);
    const solved = await solveOnly();
    expect(solved).toContain('index "ratings_with_customer_data" deleted (RATING_TIME mapped as long)');
    expect(solved).toContain('connector "elasticsearch-sink" restarted from the beginning of its topics');
    await checkUntil((r) => r.outcome === 'pass');
  });

  it('a mapping that refuses the records: the sink drops them (warn)', async () => {
    const created = await es('/unhappy_platinum_customers', {
      method: 'PUT',
      body: JSON.stringify({ mappings: { properties: { MESSAGE: { type: 'long' } } } }),
    });
    expect(created.status).toBe(200);
    await applyLearnerFile('conflict', () => undefined);
    await failsWith(
      'Elasticsearch index "unhappy_platinum_customers"',
      /^MESSAGE is mapped as long but the records hold "rating number \d+": Elasticsearch refuses them and the sink drops them \(behavior\.on\.malformed\.documents\)$/,
    );
  });

  it('the same mapping with behavior.on.malformed.documents=fail: the task fails with the sink’s message', async () => {
    await es('/unhappy_platinum_customers', {
      method: 'PUT',
      body: JSON.stringify({ mappings: { properties: { MESSAGE: { type: 'long' } } } }),
    });
    await applyLearnerFile('conflict-fail', (c) => {
      c['behavior.on.malformed.documents'] = 'fail';
    });
    await failsWith(
      'connector "elasticsearch-sink"',
      /^RUNNING, but task 0 FAILED \(org\.apache\.kafka\.connect\.errors\.ConnectException: Indexing record failed\. Please check DLQ topic for errors\.\)$/,
    );
  });

  it('a transform that drops a field: documents differ from their records', async () => {
    await applyLearnerFile('mangled', (c) => {
      c.transforms = `dropMessage,${c.transforms}`;
      c['transforms.dropMessage.type'] = 'org.apache.kafka.connect.transforms.ReplaceField$Value';
      c['transforms.dropMessage.exclude'] = 'MESSAGE';
    });
    await failsWith(
      'Elasticsearch index "ratings_with_customer_data"',
      /^document "ratings_with_customer_data\+0\+\d+" differs from its record: MESSAGE is "rating number \d+" in the record, absent in the document$/,
    );
  });

  it('reset deletes the connector and the indexes', async () => {
    await solveOnly();
    await checkUntil((r) => r.outcome === 'pass');
    const result = await runCli(['reset', 'step-8'], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('connector "elasticsearch-sink" deleted (offsets cleared)');
    for (const index of ['ratings_with_customer_data', 'unhappy_platinum_customers', 'ratings_by_club_status_1min']) {
      expect(result.stdout).toContain(`index "${index}" deleted`);
      expect((await es(`/${index}`, { method: 'HEAD' })).status).toBe(404);
    }
  });

  describe('the sink stand-in writes as Confluent’s sink does', () => {
    const standInConnector = async (name: string, config: Record<string, string>) => {
      const answer = await context().services.connect<{ message?: string }>(`/connectors/${name}/config`, {
        method: 'PUT',
        body: {
          'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
          'connection.url': stack().elasticsearch.url,
          'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
          'schema.ignore': 'true',
          ...config,
        },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    };
    const taskTrace = (name: string) =>
      waitFor({
        what: `a task of ${name} to fail`,
        timeoutMs: 30_000,
        probe: async () => {
          const status = await context().services.connect<{ tasks: { state: string; trace?: string }[] }>(
            `/connectors/${name}/status`,
          );
          const failed = status.body?.tasks?.find((t) => t.state === 'FAILED');
          return failed?.trace ?? new NotYet(JSON.stringify(status.body));
        },
      });

    it('index named after the topic, lower-cased; a null value stops the task by default; a null key too', async () => {
      const p = testKafka().producer();
      await p.connect();
      await p.send({ topic: 'StandIn_Upper', messages: [{ key: 'a', value: JSON.stringify({ n: 1 }) }] });
      await p.send({ topic: 'standin_nulls', messages: [{ key: 'a', value: null }] });
      await p.send({ topic: 'standin_nokey', messages: [{ key: null, value: JSON.stringify({ n: 1 }) }] });
      await p.disconnect();
      await standInConnector('standin-upper', { topics: 'StandIn_Upper', 'key.ignore': 'false' });
      await standInConnector('standin-nulls', { topics: 'standin_nulls', 'key.ignore': 'true' });
      await standInConnector('standin-nokey', { topics: 'standin_nokey', 'key.ignore': 'false' });
      try {
        const doc = await waitFor({
          what: 'the document in index standin_upper',
          timeoutMs: 30_000,
          probe: async () => {
            const answer = await es('/standin_upper/_doc/a');
            return answer.status === 200
              ? ((await answer.json()) as { _source: unknown })
              : new NotYet(String(answer.status));
          },
        });
        expect(doc._source).toEqual({ n: 1 });
        expect(await taskTrace('standin-nulls')).toMatch(
          /has a null value \(to ignore future records like this change the configuration property 'behavior\.on\.null\.values' from 'FAIL' to 'IGNORE'\)/,
        );
        expect(await taskTrace('standin-nokey')).toMatch(/Key is used as document id and can not be null\./);
      } finally {
        for (const name of ['standin-upper', 'standin-nulls', 'standin-nokey']) {
          await context().services.connect(`/connectors/${name}`, { method: 'DELETE' });
        }
        await es('/standin_upper', { method: 'DELETE' });
      }
    });
  });
});
