/**
 * The notifications app on a real local Kafka broker, posting to a local HTTP receiver that answers 200 at once.
 *
 * 1. Throughput: events per second `npm run notify -- --rate off` delivers from a backlog, from its first post to its
 *    last (process start left out), beside a reference in the same run: a bare kafkajs consumer that posts the same
 *    records to the same receiver one at a time and lets kafkajs commit when it likes. The ratio is the cost of
 *    at-least-once (a commit and a log line per post). Goal: at least half the reference's rate.
 * 2. Latency: a rating produced → its notification posted, p50 and p99, with a test processor standing in for
 *    ksqlDB's filter and join (a kafkajs consumer that writes each rating, enriched, to the notifications' topic).
 *    The processor's own hop (rating produced → enriched record written) is printed beside it as the reference.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { kafkaClient } from '#core/kafka-client.js';
import { progress } from '#core/output.js';
import { repoPath } from '#core/state-dir.js';
import { NotYet, waitFor } from '#core/wait.js';
import { percentile } from '#workshop/dev/testing/stats.js';
import { startBenchKafka } from './bench-kafka.js';
import { printTable } from './stack-bench.js';

const cli = repoPath('workshop/cli.ts');
export const notifyThroughputGoal = 0.5;

/** A receiver that notes when each rating's notification arrived (by the "rating N" the message ends with). */
async function startReceiver() {
  const arrivals = new Map<number, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const now = Date.now();
      const id = Number(/rating (\d+)"?\}?$/.exec(body)?.[1] ?? /rating (\d+)/.exec(body)?.[1]);
      if (!arrivals.has(id)) arrivals.set(id, now);
      response.writeHead(200);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T/B/bench`,
    arrivals,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function row(ratingId: number, time: number) {
  return JSON.stringify({
    ID: 3,
    RATING_ID: ratingId,
    STARS: 1,
    ROUTE_ID: 9,
    RATING_TIME: time,
    CHANNEL: 'web',
    MESSAGE: `the seat would not recline, rating ${ratingId}`,
    FULL_NAME: 'Ada Lovelace',
    CLUB_STATUS: 'platinum',
    EMAIL: 'ada@example.com',
  });
}

function startNotify(env: Record<string, string>, topic: string, group: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      'notify',
      '--topic',
      topic,
      '--group',
      group,
      '--rate',
      'off',
      '--from-beginning',
      '--quiet',
    ],
    { env: { ...process.env, ...env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
    stderr: () => stderr,
  };
}

export async function benchNotify(options: { events: number }): Promise<void> {
  const { dir, kafka: broker, stop } = await startBenchKafka('notify', 'notify: starting a Kafka broker');
  const kafka = kafkaClient({ brokers: broker.bootstrapServers });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const receiver = await startReceiver();
  const env = {
    WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrapServers,
    WORKSHOP_SLACK_WEBHOOK_URL: receiver.url,
    WORKSHOP_STATE_DIR: path.join(dir, 'state'),
  };
  /** What to stop if the benchmark ends early: the apps and consumers it started. */
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await admin.connect();
    await producer.connect();
    const stamp = Date.now();
    const backlog = `bench-notify-backlog-${stamp}`;
    await admin.createTopics({ topics: [{ topic: backlog, numPartitions: 1 }], waitForLeaders: true });
    const ids = Array.from({ length: options.events }, (_, i) => i + 1);
    for (let i = 0; i < ids.length; i += 500) {
      await producer.send({ topic: backlog, messages: ids.slice(i, i + 500).map((id) => ({ value: row(id, stamp) })) });
    }
    const all = (what: string, from: number, count: number) =>
      waitFor({
        what,
        timeoutMs: 10 * 60_000,
        intervalMs: 50,
        probe: async () => {
          let seen = 0;
          for (let id = from; id < from + count; id++) if (receiver.arrivals.has(id)) seen++;
          return seen === count ? true : new NotYet(`${seen} of ${count}`);
        },
      });
    const spread = (from: number, count: number) => {
      const times = Array.from({ length: count }, (_, i) => receiver.arrivals.get(from + i) ?? 0);
      return (Math.max(...times) - Math.min(...times)) / 1000;
    };

    // 1a. npm run notify from the backlog.
    progress(`notify: delivering a backlog of ${options.events} events with npm run notify -- --rate off`);
    const app = startNotify(env, backlog, `bench-notify-${stamp}`);
    cleanups.push(app.stop);
    await all('npm run notify to deliver the backlog', 1, options.events);
    await app.stop();
    const appRate = options.events / spread(1, options.events);

    // 1b. The reference: the same records, posted one at a time by a bare consumer with kafkajs' own commits.
    progress('notify: the same backlog with a bare kafkajs consumer (the reference)');
    receiver.arrivals.clear();
    const bare = kafka.consumer({ groupId: `bench-bare-${stamp}`, maxWaitTimeInMs: 500 });
    cleanups.push(() => bare.disconnect());
    await bare.connect();
    await bare.subscribe({ topic: backlog, fromBeginning: true });
    await bare.run({
      eachMessage: async ({ message }) => {
        const ratingId = (JSON.parse(String(message.value)) as { RATING_ID: number }).RATING_ID;
        const response = await fetch(receiver.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: `rating ${ratingId}` }),
          signal: AbortSignal.timeout(10_000),
        });
        await response.text();
      },
    });
    await all('the bare consumer to deliver the backlog', 1, options.events);
    await bare.disconnect();
    const bareRate = options.events / spread(1, options.events);

    // 2. Latency: ratings at a steady pace through a test processor, then npm run notify.
    const ratings = `bench-notify-ratings-${stamp}`;
    const unhappy = `bench-notify-unhappy-${stamp}`;
    await admin.createTopics({
      topics: [
        { topic: ratings, numPartitions: 1 },
        { topic: unhappy, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    receiver.arrivals.clear();
    const produced = new Map<number, number>();
    const processed = new Map<number, number>();
    const processorOut = kafka.producer();
    await processorOut.connect();
    const processor = kafka.consumer({ groupId: `bench-processor-${stamp}`, maxWaitTimeInMs: 100 });
    cleanups.push(
      () => processor.disconnect(),
      () => processorOut.disconnect(),
    );
    await processor.connect();
    await processor.subscribe({ topic: ratings, fromBeginning: true });
    await processor.run({
      eachMessage: async ({ message }) => {
        const rating = JSON.parse(String(message.value)) as { rating_id: number; rating_time: number };
        await processorOut.send({ topic: unhappy, messages: [{ value: row(rating.rating_id, rating.rating_time) }] });
        processed.set(rating.rating_id, Date.now());
      },
    });
    const live = startNotify(env, unhappy, `bench-notify-live-${stamp}`);
    cleanups.push(live.stop);
    // Measured from a running app: ratings start once it has joined its group.
    await waitFor({
      what: 'npm run notify to join its group',
      timeoutMs: 60_000,
      intervalMs: 100,
      probe: async () => {
        // Stable: joined and assigned (a new group's first rebalance waits a few seconds with a member listed).
        const [group] = (await admin.describeGroups([`bench-notify-live-${stamp}`])).groups;
        return group?.state === 'Stable' && group.members.length > 0 ? true : new NotYet(group?.state ?? '?');
      },
    });
    // A first rating through the whole path: a new consumer's first fetch comes a few seconds after it joins.
    const warmUp = 999_999;
    await producer.send({
      topic: ratings,
      messages: [{ value: JSON.stringify({ rating_id: warmUp, rating_time: Date.now(), stars: 1, user_id: 3 }) }],
    });
    await all('the warm-up notification', warmUp, 1);
    const samples = Math.min(400, options.events);
    progress(`notify: ${samples} ratings, 10 a second, through a test processor and npm run notify`);
    const base = 1_000_000;
    for (let i = 0; i < samples; i++) {
      const id = base + i;
      const now = Date.now();
      produced.set(id, now);
      await producer.send({
        topic: ratings,
        messages: [{ value: JSON.stringify({ rating_id: id, rating_time: now, stars: 1, user_id: 3 }) }],
      });
      await waitFor({
        what: 'the next rating to be due',
        timeoutMs: 1_000,
        intervalMs: 5,
        probe: async () => (Date.now() - now >= 100 ? true : new NotYet('not yet')),
      });
    }
    await all('the notifications of the paced ratings', base, samples);
    await live.stop();
    await processor.disconnect();
    await processorOut.disconnect();
    const endToEnd = [...produced].map(([id, at]) => (receiver.arrivals.get(id) ?? Number.NaN) - at);
    const hop = [...produced].map(([id, at]) => (processed.get(id) ?? Number.NaN) - at);

    printTable(
      `npm run notify: throughput from a backlog of ${options.events} events (goal: at least ${notifyThroughputGoal} of the reference)`,
      ['consumer', 'events/s', 'ratio'],
      [
        [
          'npm run notify -- --rate off (a log line per post, commits coalesced)',
          bareRate > 0 ? appRate.toFixed(0) : '?',
          (appRate / bareRate).toFixed(2),
        ],
        ['reference: bare kafkajs consumer, one post at a time', bareRate.toFixed(0), '1.00'],
      ],
    );
    printTable(
      `Rating produced → notification posted, ${samples} ratings at 10 a second, through a test processor in place of ksqlDB`,
      ['path', 'p50', 'p99', 'max'],
      [
        [
          'rating → notification posted (end to end)',
          ms(percentile(endToEnd, 50)),
          ms(percentile(endToEnd, 99)),
          ms(Math.max(...endToEnd)),
        ],
        [
          'reference: rating → enriched record written (the processor)',
          ms(percentile(hop, 50)),
          ms(percentile(hop, 99)),
          ms(Math.max(...hop)),
        ],
      ],
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    receiver.close();
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await stop();
  }
}

const ms = (value: number) => `${Math.round(value)} ms`;
