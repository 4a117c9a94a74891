import { type ChildProcess, spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { collectTopic, type TopicRecord } from '#workshop/dev/testing/kafka-records.js';
import { describeWithStack, type StackHandle } from '#workshop/dev/testing/stack-context.js';
import { seededCustomerIds } from './customers.js';
import { highestRatingId } from './last-rating-id.js';
import { type Rating, ratingRecordProblems } from './rating-schema.js';
import { type RatingsRunOptions, type RunEvent, startRatings } from './ratings-producer.js';

const uniqueTopic = (name: string) => `datagen-${name}-${Date.now()}`;

/** Every record of the topic, once `count` have arrived, with their values parsed. */
async function readAll(bootstrapServers: string, topic: string, count: number) {
  const collector = await collectTopic(bootstrapServers, topic);
  try {
    const records = await collector.until(`${count} records in ${topic}`, (r) => r.length >= count, 90_000);
    return records.map((record: TopicRecord) => ({ record, rating: JSON.parse(record.value ?? 'null') as Rating }));
  } finally {
    await collector.close();
  }
}

async function recordsInTopic(bootstrapServers: string, topic: string): Promise<number> {
  const admin = kafkaClient({ brokers: bootstrapServers }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const fromTo = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);
/** The ratings without rating_time (the moment of sending, the one field a seed cannot repeat), in id order. */
const withoutTime = (ratings: { rating: Rating }[]) =>
  ratings.map(({ rating: { rating_time: _, ...rest } }) => rest).sort((a, b) => a.rating_id - b.rating_id);
const sortedIds = (ratings: { rating: Rating }[]) => ratings.map((r) => r.rating.rating_id).sort((a, b) => a - b);

describeWithStack('datagen ratings against the real Kafka broker', (stack) => {
  const run = (options: Partial<RatingsRunOptions> & Pick<RatingsRunOptions, 'topic' | 'rate'>) =>
    startRatings({
      bootstrapServers: [stack().kafka.bootstrapServers],
      customers: seededCustomerIds,
      format: 'json',
      schemaRegistryUrl: 'http://127.0.0.1:1',
      ...options,
    });

  it('--count N leaves exactly N records, rating_ids 1..N, each a valid rating keyed by its id', async () => {
    const topic = uniqueTopic('count');
    const summary = await run({ topic, rate: 'max', producers: 2, count: 1_234 }).done;
    expect(summary).toMatchObject({ acknowledged: 1_234, sent: 1_234, firstRatingId: 1, lastRatingId: 1_234 });
    const all = await readAll(stack().kafka.bootstrapServers, topic, 1_234);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(1_234);
    expect(sortedIds(all)).toEqual(oneToN(1_234));
    for (const { record } of all) expect(ratingRecordProblems(record)).toEqual([]);
  });

  it('the same seed gives the same records, paced with one producer or at full speed with two', async () => {
    const paced = uniqueTopic('seed-paced');
    const fast = uniqueTopic('seed-fast');
    const before = Date.now();
    await run({ topic: paced, rate: 400, count: 600, seed: 11 }).done;
    await run({ topic: fast, rate: 'max', producers: 2, count: 600, seed: 11 }).done;
    const after = Date.now();
    const a = await readAll(stack().kafka.bootstrapServers, paced, 600);
    const b = await readAll(stack().kafka.bootstrapServers, fast, 600);
    expect(withoutTime(a)).toEqual(withoutTime(b));
    // rating_time is the moment of sending, the one field a seed cannot repeat.
    for (const { rating } of [...a, ...b]) {
      expect(rating.rating_time).toBeGreaterThanOrEqual(before);
      expect(rating.rating_time).toBeLessThanOrEqual(after);
    }
  });

  it('a run continues after the topic’s highest rating_id, making the same ratings for the same ids', async () => {
    const continued = uniqueTopic('continue');
    const once = uniqueTopic('once');
    // 700 is not a multiple of the producers' 500-id blocks: the second run starts mid-block, at full speed.
    const first = await run({ topic: continued, rate: 'max', producers: 2, count: 700, seed: 5 }).done;
    const events: RunEvent[] = [];
    const second = await run({
      topic: continued,
      rate: 'max',
      producers: 2,
      count: 700,
      seed: 5,
      onEvent: (e) => events.push(e),
    }).done;
    expect(first).toMatchObject({ firstRatingId: 1, lastRatingId: 700 });
    expect(second).toMatchObject({ acknowledged: 700, firstRatingId: 701, lastRatingId: 1_400 });
    expect(events.find((e) => e.kind === 'started')).toMatchObject({ firstRatingId: 701, highestInTopic: 700 });
    await run({ topic: once, rate: 'max', producers: 1, count: 1_400, seed: 5 }).done;

    const a = await readAll(stack().kafka.bootstrapServers, continued, 1_400);
    const b = await readAll(stack().kafka.bootstrapServers, once, 1_400);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, continued)).toBe(1_400);
    expect(sortedIds(a)).toEqual(oneToN(1_400));
    expect(withoutTime(a)).toEqual(withoutTime(b));
  });

  it('finds the highest rating_id of every partition, even behind a batch of lower ids that landed last', async () => {
    const bootstrapServers = stack().kafka.bootstrapServers;
    const topic = uniqueTopic('highest');
    const kafka = kafkaClient({ brokers: bootstrapServers });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    expect(await highestRatingId([bootstrapServers], topic, 10_000)).toBe(0);
    expect(await highestRatingId([bootstrapServers], `${topic}-missing`, 10_000)).toBe(0);

    const producer = kafka.producer();
    await producer.connect();
    const batch = (partition: number, ids: number[]) =>
      producer.send({
        topic,
        messages: ids.map((id) => ({ partition, key: String(id), value: `{"rating_id":${id}}` })),
      });
    // Partition 0: two producers' batches, the higher one acknowledged first. Partition 1: a stranger's record last.
    await batch(0, fromTo(1_001, 1_500));
    await batch(0, fromTo(501, 1_000));
    await batch(1, fromTo(1, 500));
    await producer.send({ topic, messages: [{ partition: 1, key: 'note', value: 'not a rating' }] });
    await producer.disconnect();
    expect(await highestRatingId([bootstrapServers], topic, 10_000)).toBe(1_500);
  });

  it('--start-id chooses the first rating_id, and the next run continues after it', async () => {
    const topic = uniqueTopic('start-id');
    const forced = await run({ topic, rate: 'max', producers: 1, count: 5, startId: 1_000 }).done;
    expect(forced).toMatchObject({ acknowledged: 5, firstRatingId: 1_000, lastRatingId: 1_004 });
    const next = await run({ topic, rate: 'max', producers: 1, count: 5 }).done;
    expect(next).toMatchObject({ acknowledged: 5, firstRatingId: 1_005, lastRatingId: 1_009 });
    expect(sortedIds(await readAll(stack().kafka.bootstrapServers, topic, 10))).toEqual(fromTo(1_000, 1_009));
  });

  it('a broker restart mid-run: it retries, then resumes, with no gap and no duplicate', async () => {
    const topic = uniqueTopic('restart');
    const events: RunEvent[] = [];
    const acknowledged = () => events.reduce((n, e) => n + (e.kind === 'acknowledged' ? e.count : 0), 0);
    const producing = run({ topic, rate: 150, count: 1_500, onEvent: (e) => events.push(e) });
    await waitFor({
      what: 'the first 200 ratings to be acknowledged',
      timeoutMs: 30_000,
      probe: async () => (acknowledged() >= 200 ? true : new NotYet(`${acknowledged()} acknowledged`)),
    });
    await stack().stopServer('kafka');
    const acknowledgedAtStop = acknowledged();
    await waitFor({
      what: 'the generator to notice the broker is gone',
      timeoutMs: 30_000,
      probe: async () => (events.some((e) => e.kind === 'retrying') ? true : new NotYet('no retry yet')),
    });
    // The outage was real: nothing was acknowledged while the broker was down...
    expect(acknowledged()).toBe(acknowledgedAtStop);
    await stack().startServer('kafka');

    const summary = await producing.done;
    // ...and the rest of the run was acknowledged once it was back.
    expect(summary.acknowledged - acknowledgedAtStop).toBeGreaterThan(0);
    expect(summary).toMatchObject({ acknowledged: 1_500, firstRatingId: 1, lastRatingId: 1_500 });
    expect(summary.errors).toBeGreaterThan(0);
    const all = await readAll(stack().kafka.bootstrapServers, topic, 1_500);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(1_500);
    expect(sortedIds(all)).toEqual(oneToN(1_500));
  }, 240_000);

  commandLineTests(stack);
});

/** The command itself, as a learner runs it: a Node process with the kit's environment pointing at the stack. */
function commandLineTests(stack: () => StackHandle) {
  const start = (...args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workshop/cli.ts', 'datagen', 'ratings', ...args], {
      env: { ...process.env, ...workshopEnv(stack()), NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk) => {
      output.stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output.stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output, exited };
  };

  it('npm run datagen -- ratings --count: in CI, no live line, a summary at the end', async () => {
    const topic = uniqueTopic('cli');
    const { output, exited } = start('--count', '25', '--rate', '50', '--topic', topic, '--seed', '3');
    expect(await exited, output.stderr).toBe(0);
    expect(output.stdout).toContain(`acknowledged 25 ratings (rating_id 1..25) on topic ${topic} in `);
    expect(output.stdout).toContain('seed 3: add --seed 3 to make the same ratings again.');
    expect(output.stderr).not.toContain('\r');
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(25);
  });

  it('two runs of --count 50 into one topic: rating_ids 1..100, none twice', async () => {
    const topic = uniqueTopic('cli-twice');
    const first = start('--count', '50', '--rate', 'max', '--topic', topic);
    expect(await first.exited, first.output.stderr).toBe(0);
    expect(first.output.stdout).toContain(`acknowledged 50 ratings (rating_id 1..50) on topic ${topic} in `);
    expect(first.output.stderr).toContain(`rating_ids from 1: topic ${topic} holds no ratings yet`);
    const second = start('--count', '50', '--rate', 'max', '--topic', topic);
    expect(await second.exited, second.output.stderr).toBe(0);
    expect(second.output.stdout).toContain(`acknowledged 50 ratings (rating_id 51..100) on topic ${topic} in `);
    expect(second.output.stderr).toContain(`rating_ids from 51: topic ${topic} already holds rating_ids up to 50`);

    const all = await readAll(stack().kafka.bootstrapServers, topic, 100);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(100);
    expect(new Set(all.map(({ record }) => record.key)).size).toBe(100);
    expect(sortedIds(all)).toEqual(oneToN(100));
  });

  /** The summary's count and ids, from `acknowledged 1,234 ratings (rating_id 1..1234) on topic ...`. */
  const acknowledgedIn = (stdout: string) => {
    const match = /^acknowledged ([\d,]+) ratings \(rating_id (\d+)\.\.(\d+)\)/m.exec(stdout);
    if (!match) throw new Error(`no summary in ${JSON.stringify(stdout)}`);
    return { count: Number(match[1]?.replace(/,/g, '')), first: Number(match[2]), last: Number(match[3]) };
  };
  const inFlightAtStop = (stderr: string) => Number(/stopping: waiting for (\d+) ratings in flight/.exec(stderr)?.[1]);

  it('Ctrl-C at full speed: stops making ratings, flushes those in flight, and reports what the topic holds', async () => {
    const topic = uniqueTopic('sigint');
    // One producer in the command's own thread: the signal is handled only while it waits for Kafka, so a batch is
    // always in flight when Ctrl-C arrives.
    const { child, output, exited } = start('--rate', 'max', '--producers', '1', '--topic', topic);
    await waitFor({
      what: 'ratings to arrive in the topic',
      timeoutMs: 60_000,
      intervalMs: 200,
      probe: async () => {
        const n = await recordsInTopic(stack().kafka.bootstrapServers, topic).catch(() => 0);
        return n >= 1_000 ? n : new NotYet(`${n} records`);
      },
    });
    (child as ChildProcess).kill('SIGINT');
    expect(await exited, output.stderr).toBe(0);
    expect(inFlightAtStop(output.stderr)).toBeGreaterThan(0);
    const summary = acknowledgedIn(output.stdout);
    expect(output.stdout).not.toContain('sent but not acknowledged');
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(summary.count);
    const all = await readAll(stack().kafka.bootstrapServers, topic, summary.count);
    expect(sortedIds(all)).toEqual(oneToN(summary.count));
    expect(summary).toEqual({ count: summary.count, first: 1, last: summary.count });
  });

  it('Ctrl-C while the broker is down: waits for it, then flushes every producer’s batch in flight', async () => {
    const topic = uniqueTopic('sigint-down');
    const { child, output, exited } = start('--rate', 'max', '--producers', '2', '--topic', topic);
    await waitFor({
      what: 'ratings to arrive in the topic',
      timeoutMs: 60_000,
      intervalMs: 200,
      probe: async () => {
        const n = await recordsInTopic(stack().kafka.bootstrapServers, topic).catch(() => 0);
        return n >= 1_000 ? n : new NotYet(`${n} records`);
      },
    });
    await stack().stopServer('kafka');
    try {
      await waitFor({
        what: 'the generator to say Kafka is not acknowledging',
        timeoutMs: 30_000,
        probe: async () => (output.stderr.includes('Kafka is not acknowledging') ? true : new NotYet(output.stderr)),
      });
      (child as ChildProcess).kill('SIGINT');
      await waitFor({
        what: 'the generator to say how many ratings are in flight',
        timeoutMs: 30_000,
        probe: async () => (inFlightAtStop(output.stderr) >= 0 ? true : new NotYet(output.stderr)),
      });
    } finally {
      await stack().startServer('kafka');
    }
    expect(await exited, output.stderr).toBe(0);
    expect(inFlightAtStop(output.stderr)).toBeGreaterThan(0);
    const summary = acknowledgedIn(output.stdout);
    expect(output.stdout).not.toContain('sent but not acknowledged');
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(summary.count);
    const all = await readAll(stack().kafka.bootstrapServers, topic, summary.count);
    expect(sortedIds(all)).toEqual(oneToN(summary.count));
  }, 240_000);

  it('SIGTERM while the broker is down (npm run down): gives up on what is in flight within seconds, exit 143', async () => {
    const topic = uniqueTopic('sigterm-down');
    const { child, output, exited } = start('--rate', '20', '--topic', topic);
    await waitFor({
      what: 'ratings to arrive in the topic',
      timeoutMs: 60_000,
      intervalMs: 200,
      probe: async () => {
        const n = await recordsInTopic(stack().kafka.bootstrapServers, topic).catch(() => 0);
        return n >= 20 ? n : new NotYet(`${n} records`);
      },
    });
    await stack().stopServer('kafka');
    try {
      await waitFor({
        what: 'the generator to say Kafka is not acknowledging',
        timeoutMs: 30_000,
        probe: async () => (output.stderr.includes('Kafka is not acknowledging') ? true : new NotYet(output.stderr)),
      });
      (child as ChildProcess).kill('SIGTERM');
      // It gives up on what Kafka never acknowledges, and says so: without that it would wait for Kafka forever.
      expect(await exited, output.stderr).toBe(143);
      expect(output.stderr).toContain('gave up on the ratings still unacknowledged 5 s after SIGTERM');
    } finally {
      await stack().startServer('kafka');
    }
  }, 240_000);
}
