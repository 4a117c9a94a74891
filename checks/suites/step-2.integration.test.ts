import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCourse } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import type { StepResult } from '#checks/types.js';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { RatingSequence, toKafkaMessage } from '#datagen/rating.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { type RunningCli, startCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-2');
if (!step) throw new Error('no step-2 in the course');

function verdict(result: StepResult) {
  const last = result.expectations[result.expectations.length - 1];
  return { outcome: result.outcome, object: last?.object, found: last?.found, hint: last?.hint };
}

type Message = { key: string | null; value: string };

describeWithStack('step 2: produce rating events with the Producer API', (stack) => {
  const kafka = () => kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
  const check = () => runStep(step, checkContext(stack()), { deadlineScale: 0.3, intervalMs: 250 });
  const ratings = new RatingSequence({ seed: 7 });
  let nextId = 1;
  const good = (): Message => toKafkaMessage(ratings.make(nextId++, Date.now()));
  let stopProducing: (() => Promise<void>) | undefined;

  /** A producer that keeps sending, a few records a second, as a learner's running app does. */
  async function keepProducing(topic: string, make: () => Message): Promise<void> {
    const producer = kafka().producer();
    await producer.connect();
    let running = true;
    const pauseMs = 150;
    const loop = (async () => {
      while (running) {
        await producer.send({ topic, messages: [make()] });
        await delay(pauseMs);
      }
    })();
    stopProducing = async () => {
      running = false;
      await loop;
      await producer.disconnect();
    };
  }

  async function topicTotal(topic: string): Promise<number> {
    const admin = kafka().admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async function sendOnce(topic: string, messages: Message[]): Promise<void> {
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic, messages });
    await producer.disconnect();
  }

  async function deleteTopics(...topics: string[]) {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const existing = (await admin.listTopics()).filter((t) => topics.includes(t));
      if (existing.length > 0) await admin.deleteTopics({ topics: existing });
      await waitFor({
        what: `topics ${topics.join(', ')} to be gone`,
        timeoutMs: 30_000,
        probe: async () =>
          (await admin.listTopics()).some((t) => topics.includes(t)) ? new NotYet('still listed') : true,
      });
    } finally {
      await admin.disconnect();
    }
  }

  beforeEach(async () => {
    await deleteTopics('ratings', 'Ratings');
  });

  afterEach(async () => {
    await stopProducing?.();
    stopProducing = undefined;
  });

  it('passes while a producer sends valid ratings keyed by rating_id', async () => {
    await keepProducing('ratings', good);
    await waitFor({
      what: 'the first ratings',
      timeoutMs: 30_000,
      probe: async () => (nextId > 3 ? true : new NotYet('not yet')),
    });
    const result = await check();
    expect(result.outcome, JSON.stringify(result.expectations)).toBe('pass');
    expect(result.expectations[0]?.found).toMatch(/^\d+ records, \d+ new while checking; the newest are valid$/);
    expect(result.expectations[0]?.warning).toBeUndefined();
  });

  it('warns, naming the repeated rating_ids, while two of the learner’s producers write ratings', async () => {
    const env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'two-producers-')) };
    const producers = [startCli(['datagen', 'ratings', '--rate', '5'], env, 120_000)];
    try {
      // The second starts once the first has written: it continues from the highest rating_id it finds, as the first does.
      const written = async (run: RunningCli, what: string) =>
        waitFor({
          what,
          timeoutMs: 30_000,
          giveUpIf: () => (run.exited() ? `it exited:\n${run.stdout()}` : undefined),
          probe: async () => ((await topicTotal('ratings')) > 0 ? true : new NotYet('nothing written yet')),
        });
      await written(producers[0] as RunningCli, 'the first producer to write');
      producers.push(startCli(['datagen', 'ratings', '--rate', '5'], env, 120_000));
      const result = await waitFor({
        what: 'the check to see both producers',
        timeoutMs: 60_000,
        probe: async () => {
          const result = await check();
          return result.expectations[0]?.warning ? result : new NotYet(JSON.stringify(result.expectations));
        },
      });
      expect(result.outcome, JSON.stringify(result.expectations)).toBe('pass');
      expect(result.expectations[0]?.warning).toMatch(
        /^rating_id \d+.* more than once among the newest \d+ records: more than one producer is writing to topic "ratings" \(each continues from the highest rating_id it saw\); the kit started none, so they are yours\. Keep one running and stop the others \(Ctrl-C in its terminal\)$/,
      );
    } finally {
      for (const producer of producers) producer.kill('SIGINT');
      await Promise.all(producers.map((p) => p.done));
    }
  });

  it('--watch re-checks, showing what is missing, until the step passes', async () => {
    const env = { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'watch-state-')) };
    const watching = startCli(['check', 'step-2', '--watch'], env, 120_000);
    await waitFor({
      what: 'the watch to report the missing topic',
      timeoutMs: 60_000,
      giveUpIf: () => (watching.exited() ? `it exited:\n${watching.stdout()}` : undefined),
      probe: async () => (watching.stdout().includes('no such topic') ? true : new NotYet(watching.stdout())),
    });
    expect(watching.stdout()).toContain('(watching: re-checking every 2 s; Ctrl-C to stop)');
    await keepProducing('ratings', good);
    const run = await watching.done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ step-2 {2}Produce rating events with the Producer API {2}\(pass\)/);
  });

  describe('detects each seeded fault with its own message', () => {
    it('the wrong topic', async () => {
      await sendOnce('Ratings', [good()]);
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        object: 'topic "ratings"',
        found: expect.stringMatching(/^no such topic; topics: .*Ratings/),
        hint: expect.stringContaining('case-sensitive'),
      });
    });

    it('stars out of range', async () => {
      await keepProducing('ratings', () => {
        const message = good();
        return { ...message, value: JSON.stringify({ ...JSON.parse(message.value), stars: 7 }) };
      });
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/^record at partition 0, offset \d+: stars: expected an integer 1\.\.5, found 7$/),
      });
    });

    it('a record missing a field', async () => {
      await keepProducing('ratings', () => {
        const { message: _message, ...rest } = JSON.parse(good().value);
        return { key: String(rest.rating_id), value: JSON.stringify(rest) };
      });
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/: message: expected .*, found nothing \(the field is missing\)$/),
      });
    });

    it('the key not the rating_id', async () => {
      await keepProducing('ratings', () => ({ ...good(), key: null }));
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/ has key null, its rating_id is \d+$/),
        hint: expect.stringContaining('String(value.rating_id)'),
      });
    });

    it('a producer that has stopped', async () => {
      await sendOnce('ratings', [good(), good(), good()]);
      expect(verdict(await check())).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/^3 records, none new since the check began \(after \d+ s\)$/),
        hint: expect.stringContaining('npm run datagen -- ratings'),
      });
    });
  });
});
