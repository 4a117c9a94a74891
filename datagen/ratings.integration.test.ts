import { type ChildProcess, spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { workshopEnv } from '../workshop/stack/local-stack.js';
import { collectTopic, type TopicRecord } from '../workshop/testing/kafka-records.js';
import { describeWithStack } from '../workshop/testing/stack-context.js';
import { NotYet, waitFor } from '../workshop/wait.js';
import { seededCustomerIds } from './customers.js';
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
  const admin = new Kafka({ brokers: [bootstrapServers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
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
    const withoutTime = (ratings: { rating: Rating }[]) =>
      ratings.map(({ rating: { rating_time: _, ...rest } }) => rest).sort((a, b) => a.rating_id - b.rating_id);
    const a = await readAll(stack().kafka.bootstrapServers, paced, 600);
    const b = await readAll(stack().kafka.bootstrapServers, fast, 600);
    expect(withoutTime(a)).toEqual(withoutTime(b));
    // rating_time is the moment of sending, the one field a seed cannot repeat.
    for (const { rating } of [...a, ...b]) {
      expect(rating.rating_time).toBeGreaterThanOrEqual(before);
      expect(rating.rating_time).toBeLessThanOrEqual(after);
    }
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
    await waitFor({
      what: 'the generator to notice the broker is gone',
      timeoutMs: 30_000,
      probe: async () => (events.some((e) => e.kind === 'retrying') ? true : new NotYet('no retry yet')),
    });
    const acknowledgedWhileDown = acknowledged();
    await stack().startServer('kafka');

    const summary = await producing.done;
    expect(acknowledgedWhileDown).toBeLessThan(1_500);
    expect(summary).toMatchObject({ acknowledged: 1_500, firstRatingId: 1, lastRatingId: 1_500 });
    expect(summary.errors).toBeGreaterThan(0);
    const all = await readAll(stack().kafka.bootstrapServers, topic, 1_500);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(1_500);
    expect(sortedIds(all)).toEqual(oneToN(1_500));
  }, 240_000);

  commandLineTests(stack);
});

/** The command itself, as a learner runs it: a Node process with the kit's environment pointing at the stack. */
function commandLineTests(stack: () => Parameters<typeof workshopEnv>[0]) {
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

  it('Ctrl-C stops making ratings, sends what is in flight and says how many were acknowledged', async () => {
    const topic = uniqueTopic('sigint');
    const { child, output, exited } = start('--rate', '40', '--topic', topic, '--json');
    await waitFor({
      what: 'ratings to arrive in the topic',
      timeoutMs: 60_000,
      intervalMs: 500,
      probe: async () => {
        const n = await recordsInTopic(stack().kafka.bootstrapServers, topic).catch(() => 0);
        return n >= 20 ? n : new NotYet(`${n} records`);
      },
    });
    (child as ChildProcess).kill('SIGINT');
    expect(await exited, output.stderr).toBe(0);
    const summary = JSON.parse(output.stdout) as { acknowledged: number; sent: number; stoppedBy: string };
    expect(summary.stoppedBy).toBe('stopped');
    expect(summary.acknowledged).toBe(summary.sent);
    expect(await recordsInTopic(stack().kafka.bootstrapServers, topic)).toBe(summary.acknowledged);
    const all = await readAll(stack().kafka.bootstrapServers, topic, summary.acknowledged);
    expect(sortedIds(all)).toEqual(oneToN(summary.acknowledged));
  });
}
