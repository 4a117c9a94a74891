/**
 * The notifications app on the local stack's real Kafka, posting to a real HTTP receiver on 127.0.0.1 that can be
 * healthy, failing, slow or revoked. The app runs as a learner runs it (the CLI, in a process of its own), so a
 * kill is a real kill.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { type RunningCli, startCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

/** The secret part of the test webhook's URL: it must never appear in anything the app prints. */
const secret = `s3cr3t-${randomUUID().slice(0, 8)}`;

type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

/** A Slack-like receiver: every post is kept with the answer it got; `answer` decides each one. */
class Receiver {
  readonly posts: { text: string; status: number }[] = [];
  /** Posts seen before they are answered (a post in flight). */
  arrived = 0;
  answer: (n: number) => Answer = () => ({ status: 200, body: 'ok' });
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const n = this.arrived++;
        const answer = this.answer(n);
        const reply = () => {
          this.posts.push({ text: (JSON.parse(body) as { text: string }).text, status: answer.status });
          response.writeHead(answer.status, answer.headers ?? {});
          response.end(answer.body ?? '');
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/services/T0001/B0001/${secret}`;
  }

  /** The rating ids of the posts that were answered 2xx, in order. */
  delivered(): number[] {
    return this.posts.filter((p) => p.status < 300).map((p) => Number(/rating (\d+)$/.exec(p.text)?.[1]));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function row(ratingId: number) {
  return JSON.stringify({
    ID: ratingId % 20,
    RATING_ID: ratingId,
    STARS: 1 + (ratingId % 2),
    ROUTE_ID: 9,
    RATING_TIME: Date.now(),
    CHANNEL: 'web',
    MESSAGE: `message of rating ${ratingId}`,
    FULL_NAME: 'Ada Lovelace',
    CLUB_STATUS: 'platinum',
    EMAIL: `customer${ratingId}@example.com`,
  });
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describeWithStack('npm run notify: at-least-once delivery to a webhook', (stack) => {
  const kafka = () => kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
  const admin = kafka().admin();
  const producer = kafka().producer();
  let receiver: Receiver;
  let topic: string;
  let group: string;
  let stateDir: string;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  async function setUp(): Promise<void> {
    receiver = new Receiver();
    await receiver.start();
    topic = `notify-test-${randomUUID().slice(0, 8)}`;
    group = `notify-test-${randomUUID().slice(0, 8)}`;
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'notify-'));
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  }

  afterEach(async () => {
    for (const app of running.splice(0)) {
      if (!app.exited()) app.kill('SIGKILL');
      await app.done.catch(() => undefined);
    }
    await receiver?.stop();
  });

  const send = (values: (string | null)[]) =>
    producer.send({ topic, messages: values.map((value) => ({ key: null, value })) });

  function startApp(extraEnv: Record<string, string> = {}, args: string[] = []): RunningCli {
    const app = startCli(
      ['notify', '--topic', topic, '--group', group, '--from-beginning', '--rate', 'off', ...args],
      {
        ...workshopEnv(stack()),
        WORKSHOP_SLACK_WEBHOOK_URL: receiver.url,
        WORKSHOP_STATE_DIR: stateDir,
        ...extraEnv,
      },
      120_000,
    );
    running.push(app);
    return app;
  }

  const untilDelivered = (ids: number[], timeoutMs = 60_000) =>
    waitFor({
      what: `notifications for ratings ${ids[0]}..${ids[ids.length - 1]}`,
      timeoutMs,
      intervalMs: 100,
      probe: async () => {
        const seen = new Set(receiver.delivered());
        const missing = ids.filter((id) => !seen.has(id));
        return missing.length === 0 ? true : new NotYet(`${missing.length} missing, e.g. ${missing[0]}`);
      },
    });

  async function committed(): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return Number(offsets?.partitions[0]?.offset ?? -1);
  }

  function expectNoSecret(...texts: string[]): void {
    for (const text of texts) expect(text).not.toContain(secret);
  }

  it('delivers every event once to a healthy receiver, logs each, and stops cleanly on Ctrl-C', async () => {
    await setUp();
    const ids = range(1, 30);
    await send(ids.map(row));
    const app = startApp();
    await untilDelivered(ids);
    app.kill('SIGINT');
    const run = await app.done;
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.delivered()).toEqual(ids);
    expect(receiver.posts[0]?.text).toBe(
      'customer1@example.com just left a bad review: message of rating 1\nAda Lovelace · ★★ (2 of 5) · rating 1',
    );
    const log = readFileSync(path.join(stateDir, 'notify-deliveries.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((line) => (JSON.parse(line) as { ratingId: number }).ratingId)).toEqual(ids);
    expect(await committed()).toBe(30);
    expect(run.stderr).toContain('posted 30 notifications');
    expectNoSecret(run.stdout, run.stderr);
  });

  it('a receiver failing (503, then 429 with Retry-After) and recovering: nothing lost, nothing twice', async () => {
    await setUp();
    receiver.answer = (n) =>
      n < 3
        ? { status: 503, body: 'upstream down' }
        : n < 5
          ? { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }
          : { status: 200, body: 'ok' };
    const ids = range(100, 10);
    await send(ids.map(row));
    const app = startApp();
    await untilDelivered(ids);
    app.kill('SIGINT');
    const run = await app.done;
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.delivered()).toEqual(ids);
    expect(run.stderr).toContain('post 1 failed: the webhook answered 503 upstream down; trying again in 0.5 s');
    expect(run.stderr).toContain('the webhook answered 429 rate_limited: posting too fast; trying again in 1.0 s');
    expect(run.stderr).toContain('5 retries');
    expectNoSecret(run.stdout, run.stderr);
  });

  it('killed mid-stream and started again: nothing lost, at most the post in flight twice', async () => {
    await setUp();
    receiver.answer = () => ({ status: 200, body: 'ok', delayMs: 30 });
    const ids = range(200, 60);
    await send(ids.map(row));
    const first = startApp();
    await waitFor({
      what: 'a first part of the notifications',
      timeoutMs: 60_000,
      intervalMs: 20,
      probe: async () => (receiver.delivered().length >= 15 ? true : new NotYet(`${receiver.delivered().length}`)),
    });
    first.kill('SIGKILL');
    await first.done;
    const beforeRestart = receiver.delivered().length;
    expect(beforeRestart).toBeLessThan(60);
    const second = startApp();
    await untilDelivered(ids);
    second.kill('SIGINT');
    expect((await second.done).code).toBe(0);
    const delivered = receiver.delivered();
    expect([...new Set(delivered)].sort((a, b) => a - b)).toEqual(ids);
    // One post at a time, and one commit in flight: what can repeat is what was posted during the last commit's
    // round trip (a post here takes 30 ms, a commit a few): a record or two.
    expect(delivered.length - ids.length).toBeLessThanOrEqual(2);
  });

  it('reports and skips records it cannot read, and delivers the rest', async () => {
    await setUp();
    await send([row(300), 'not json at all', row(301), JSON.stringify({ ID: 1 }), null, row(302)]);
    const app = startApp();
    await untilDelivered([300, 301, 302]);
    app.kill('SIGINT');
    const run = await app.done;
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.delivered()).toEqual([300, 301, 302]);
    expect(run.stderr).toContain('skipped the record at partition 0, offset 1: the value is not JSON');
    expect(run.stderr).toContain('skipped the record at partition 0, offset 3: the value lacks RATING_ID');
    expect(run.stderr).toContain('skipped the record at partition 0, offset 4: the record has no value');
    expect(await committed()).toBe(6);
  });

  it('a revoked webhook (404 no_service) stops the app with a clear message, the URL nowhere, the record kept', async () => {
    await setUp();
    receiver.answer = () => ({ status: 404, body: 'no_service' });
    await send([row(400), row(401)]);
    const app = startApp();
    const run = await app.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the webhook answered 404 no_service, for the notification of rating 400');
    expect(run.stderr).toContain('set WORKSHOP_SLACK_WEBHOOK_URL');
    expect(receiver.posts.length).toBe(1);
    expectNoSecret(run.stdout, run.stderr);
    // Nothing past the start was committed: with a good URL the app starts again at the refused notification.
    expect(await committed()).toBe(0);
    receiver.answer = () => ({ status: 200, body: 'ok' });
    const again = startApp();
    await untilDelivered([400, 401]);
    again.kill('SIGINT');
    await again.done;
  });

  it('Ctrl-C during a post: the post finishes, is committed, and is not posted again', async () => {
    await setUp();
    receiver.answer = (n) => (n === 0 ? { status: 200, body: 'ok', delayMs: 1_500 } : { status: 200, body: 'ok' });
    await send([row(500)]);
    const app = startApp();
    await waitFor({
      what: 'the first post to be in flight',
      timeoutMs: 30_000,
      intervalMs: 20,
      probe: async () => (receiver.arrived > 0 ? true : new NotYet('not yet')),
    });
    app.kill('SIGINT');
    const run = await app.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('stopping: finishing the post in flight');
    expect(receiver.delivered()).toEqual([500]);
    expect(await committed()).toBe(1);
  });

  it('without a webhook, prints each notification and says how to set one', async () => {
    await setUp();
    await send([row(600), row(601)]);
    const app = startApp({ WORKSHOP_SLACK_WEBHOOK_URL: '' });
    await waitFor({
      what: 'two printed notifications',
      timeoutMs: 60_000,
      intervalMs: 100,
      probe: async () => (app.stdout().split('\n').filter(Boolean).length >= 2 ? true : new NotYet(app.stdout())),
    });
    app.kill('SIGINT');
    const run = await app.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      'customer600@example.com just left a bad review: message of rating 600 (Ada Lovelace, 1 star)\n' +
        'customer601@example.com just left a bad review: message of rating 601 (Ada Lovelace, 2 stars)\n',
    );
    expect(run.stderr).toContain('WORKSHOP_SLACK_WEBHOOK_URL is not set');
    expect(run.stderr).toContain('https://api.slack.com/messaging/webhooks');
    expect(receiver.posts).toEqual([]);
  });

  it('an unreachable Kafka is an environment error (exit 3), not a crash', async () => {
    await setUp();
    const app = startApp({ WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' });
    const run = await app.done;
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('could not reach Kafka at 127.0.0.1:1');
    expectNoSecret(run.stdout, run.stderr);
  });
});
