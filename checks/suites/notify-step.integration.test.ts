/**
 * Step 10 on the local stack's real Kafka: the notifications app running as a learner runs it (npm run notify, in a
 * process of its own), records arriving in unhappy_platinum_customers as step 6 writes them, and a real HTTP receiver
 * where a webhook is needed. The check must pass on the running app and fail, with its own message, when the app is
 * not running, reads another topic, cannot deliver, or its deliveries are not in this machine's log.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadCourse } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { applyResource, removeResource } from '#checks/resources/index.js';
import type { StepResult } from '#checks/types.js';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { type RunningCli, startCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-10');
if (!step) throw new Error('no step-10');
const topic = 'unhappy_platinum_customers';
const group = 'workshop-notify';

function verdict(result: StepResult) {
  const decisive = result.expectations.find((e) => e.outcome !== 'pass') ?? result.expectations.at(-1);
  return { outcome: result.outcome, object: decisive?.object, found: decisive?.found, hint: decisive?.hint };
}

describeWithStack('step 10: the notifications app, its consumer group and its delivery log', (stack) => {
  const kafka = () => kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
  const admin = kafka().admin();
  const producer = kafka().producer();
  const context = () => checkContext(stack());
  const check = () => runStep(step, context(), { deadlineScale: 0.3, intervalMs: 500 });
  const apps: RunningCli[] = [];
  let ratingId = 1_000;
  let stateDir: string;
  let receiver: Server | undefined;

  const row = () =>
    JSON.stringify({
      ID: 3,
      RATING_ID: ++ratingId,
      STARS: 1,
      ROUTE_ID: 9,
      RATING_TIME: Date.now(),
      CHANNEL: 'web',
      MESSAGE: `rating ${ratingId}`,
      FULL_NAME: 'Ada Lovelace',
      CLUB_STATUS: 'platinum',
      EMAIL: 'ada@example.com',
    });
  const send = (count: number, to = topic) =>
    producer.send({ topic: to, messages: Array.from({ length: count }, () => ({ key: '3', value: row() })) });

  function startApp(extraEnv: Record<string, string> = {}, args: string[] = []): RunningCli {
    const app = startCli(['notify', ...args], {
      ...workshopEnv(stack()),
      WORKSHOP_STATE_DIR: stateDir,
      WORKSHOP_SLACK_WEBHOOK_URL: '',
      ...extraEnv,
    });
    apps.push(app);
    return app;
  }

  /** Waits until the group has a member reading `on` (the app has joined). */
  const joined = (on = topic) =>
    waitFor({
      what: `a member of ${group} reading ${on}`,
      timeoutMs: 60_000,
      intervalMs: 250,
      probe: async () => {
        const described = await admin.describeGroups([group]);
        const members = described.groups[0]?.members ?? [];
        return members.length > 0 ? true : new NotYet(described.groups[0]?.state ?? '?');
      },
    });

  async function stopApps(): Promise<void> {
    for (const app of apps.splice(0)) {
      if (!app.exited()) app.kill('SIGINT');
      await app.done.catch(() => undefined);
    }
  }

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await admin.listTopics();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t === topic) });
    await waitFor({
      what: `${topic} to be created`,
      timeoutMs: 30_000,
      probe: async () =>
        (await admin
          .createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
          .catch(() => false)) || (await admin.listTopics()).includes(topic)
          ? true
          : new NotYet('not yet'),
    });
  });

  // solve's background app inherits this process's environment, as it inherits a learner's shell.
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'notify-step-'));
    Object.assign(process.env, workshopEnv(stack()), { WORKSHOP_STATE_DIR: stateDir, WORKSHOP_SLACK_WEBHOOK_URL: '' });
    await admin.deleteGroups([group]).catch(() => undefined);
  });

  afterEach(async () => {
    await stopApps();
    receiver?.closeAllConnections();
    receiver?.close();
    receiver = undefined;
  });

  afterAll(async () => {
    process.env = savedEnv;
    await producer.disconnect();
    await admin.disconnect();
  });

  it('fails while the app is not running, saying how to start it', async () => {
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'consumer group "workshop-notify"',
      found: 'no live member (group state Dead): the app is not running',
      hint: expect.stringContaining('npm run notify'),
    });
  });

  it('passes with the app running: a live member, low lag, and the newest record consumed in the delivery log', async () => {
    startApp();
    await joined();
    await send(3);
    // The check may pass as soon as the app keeps up (the first record delivered, two behind, is low lag): first let
    // the app deliver all three, so that the newest record it names is the newest sent.
    const deliveries = path.join(stateDir, 'notify-deliveries.jsonl');
    await waitFor({
      what: 'the app to log its three deliveries',
      timeoutMs: 60_000,
      intervalMs: 250,
      probe: async () => {
        const lines = existsSync(deliveries) ? readFileSync(deliveries, 'utf8').trim().split('\n').length : 0;
        return lines >= 3 ? true : new NotYet(`${lines} delivered`);
      },
    });
    const result = await waitFor({
      what: 'step-10 to pass',
      timeoutMs: 60_000,
      intervalMs: 500,
      probe: async () => {
        const r = await check();
        return r.outcome === 'pass' ? r : new NotYet(JSON.stringify(verdict(r)));
      },
    });
    expect(result.expectations[0]?.found).toMatch(
      /^1 member \(workshop-notify\) reading unhappy_platinum_customers(, \d+ record\(s\) behind|; no offset committed yet)/,
    );
    expect(result.expectations[1]?.found).toMatch(
      new RegExp(`^RATING_ID ${ratingId} \\(partition 0, offset \\d+\\) delivered to the terminal \\d+ s ago$`),
    );
  });

  it('an app reading another topic under the group fails, naming the topic it reads', async () => {
    const other = `notify-other-${randomUUID().slice(0, 6)}`;
    await admin.createTopics({ topics: [{ topic: other, numPartitions: 1 }], waitForLeaders: true });
    startApp({}, ['--topic', other]);
    await joined(other);
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      found: `1 member(s), reading ${other}, not unhappy_platinum_customers`,
    });
  });

  it('an app that cannot deliver (the webhook failing) falls behind and fails as not catching up', async () => {
    receiver = createServer((_request, response) => {
      response.writeHead(503);
      response.end('down');
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    startApp({ WORKSHOP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/services/T/B/secret` });
    await joined();
    await send(1);
    // The first notification is retried; what arrives after it waits.
    await waitFor({
      what: 'the app to hold the first notification',
      timeoutMs: 30_000,
      intervalMs: 250,
      probe: async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return offsets ? true : new NotYet('no offsets');
      },
    });
    await send(40);
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'consumer group "workshop-notify"',
      found: expect.stringMatching(/records behind and not catching up/),
      hint: expect.stringContaining('its output says why'),
    });
  });

  it("deliveries that are not in this machine's log fail the log's expectation", async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'notify-elsewhere-'));
    startApp({ WORKSHOP_STATE_DIR: elsewhere });
    await joined();
    await send(2);
    await waitFor({
      what: 'a committed offset',
      timeoutMs: 30_000,
      intervalMs: 250,
      probe: async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return Number(offsets?.partitions[0]?.offset ?? -1) > 0 ? true : new NotYet('none yet');
      },
    });
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'delivery log .workshop/notify-deliveries.jsonl',
      found: "no file: the group committed offsets, but not through the kit's app on this machine",
    });
  });

  it('solve starts the app in the background; reset stops it and deletes its group and log', async () => {
    const resource = step.solution[0];
    if (resource?.kind !== 'background-consumer') throw new Error('step 10 solves with a background consumer');
    const started = await applyResource(context().services, resource, step);
    expect(started.join('\n')).toMatch(/^app "notify": started in the background \(pid \d+/);
    await send(2);
    const passed = await waitFor({
      what: 'step-10 to pass with the background app',
      timeoutMs: 60_000,
      intervalMs: 500,
      probe: async () => {
        const r = await check();
        return r.outcome === 'pass' ? r : new NotYet(JSON.stringify(verdict(r)));
      },
    });
    expect(passed.outcome).toBe('pass');
    const again = await applyResource(context().services, resource, step);
    expect(again.join('\n')).toMatch(/already running/);
    const removed = await removeResource(context().services, resource);
    expect(removed).toEqual([
      'app "notify" stopped',
      'consumer group "workshop-notify" deleted',
      'delivery log .workshop/notify-deliveries.jsonl deleted',
    ]);
    expect(verdict(await check()).found).toMatch(/^no live member/);
  });
});
