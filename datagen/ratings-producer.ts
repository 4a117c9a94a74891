/**
 * A run of `datagen ratings`, without the command line: makes sure Kafka answers and the topic exists, finds where the
 * topic's rating_ids end (the run continues after them), registers the Avro schema if asked, then produces with one
 * producer (paced) or several (full speed) and returns a summary.
 * The command prints; tests and the benchmark call this directly.
 */
import os from 'node:os';
import { TimeoutError } from '#core/errors.js';
import { kafkaClient } from '#core/kafka-client.js';
import { waitFor } from '#core/wait.js';
import { registerRatingSchema } from './avro.js';
import { highestRatingId } from './last-rating-id.js';
import { Pacer, type PacerClock, pacerClock, type StopReason } from './pacer.js';
import { type CustomerIds, RatingSequence } from './rating.js';
import { runWorkerPool } from './ratings-pool.js';
import {
  defaultStartupTimeoutMs,
  kafkaDidNotAnswer,
  type RecordsKind,
  runSender,
  type SenderEvent,
} from './ratings-sender.js';

export interface RatingsRunOptions {
  bootstrapServers: string[];
  topic: string;
  /** Ratings (the default), or syslog events (`datagen syslog`). */
  records?: RecordsKind;
  /** Ratings per second, or 'max' for no limit. */
  rate: number | 'max';
  count?: number;
  durationMs?: number;
  /** The first rating_id; without one, the run continues after the highest rating_id in the topic (1 if none). */
  startId?: number;
  /** Without one, a random seed is picked and reported. */
  seed?: number;
  customers: CustomerIds;
  format: 'json' | 'avro';
  schemaRegistryUrl: string;
  /** Parallel producers at full speed (rate 'max'); a paced run always uses one. */
  producers?: number;
  /** How long to wait for Kafka to answer at the start (each step: the topic, its last records, the producers). */
  startupTimeoutMs?: number;
  clock?: PacerClock;
  onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | SenderEvent
  | {
      kind: 'started';
      seed: number;
      producers: number;
      firstRatingId: number;
      /** The highest rating_id the topic held before the run; null when --start-id chose the first id. */
      highestInTopic: number | null;
    }
  | { kind: 'stopping'; inFlight: number };

export interface RatingsSummary {
  topic: string;
  format: 'json' | 'avro';
  seed: number;
  producers: number;
  sent: number;
  acknowledged: number;
  /**
   * The acknowledged ids are firstRatingId..lastRatingId (none when nothing was acknowledged). A run continues after
   * the highest rating_id already in the topic, so into a fresh topic --count N gives 1..N.
   */
  firstRatingId: number | null;
  lastRatingId: number | null;
  /** Failed attempts reported by the Kafka client (each retried). */
  errors: number;
  /** From the first claim to the last acknowledgement. */
  elapsedMs: number;
  recordsPerSecond: number;
  /** Bytes of the records' values. */
  valueBytes: number;
  /** Value bytes per second, in MB of 1,048,576 bytes (as Kafka's perf tools count them). */
  megabytesPerSecond: number;
  stoppedBy: StopReason;
}

export interface RatingsRun {
  done: Promise<RatingsSummary>;
  /** Stop making ratings; what is in flight is still sent and acknowledged. */
  stop(): void;
  /** Give up at once on what is in flight (a second Ctrl-C). */
  abandon(): void;
}

/** Kafka answers and the topic exists (created with the broker's defaults if not), or an EnvironmentError says why. */
export async function ensureTopic(bootstrapServers: string[], topic: string, timeoutMs: number): Promise<void> {
  const kafka = kafkaClient({
    clientId: 'workshop-datagen',
    brokers: bootstrapServers,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  try {
    await waitFor({
      what: `Kafka at ${bootstrapServers.join(',')} to answer`,
      timeoutMs,
      intervalMs: 500,
      probe: async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          if (!(await admin.listTopics()).includes(topic)) {
            await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
          }
          return true;
        } finally {
          await admin.disconnect();
        }
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw kafkaDidNotAnswer(bootstrapServers, timeoutMs, error.message.replace(/^.*last seen: /, ''));
  }
}

export function defaultProducers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export function startRatings(options: RatingsRunOptions): RatingsRun {
  const clock = options.clock ?? pacerClock;
  const onEvent = options.onEvent ?? (() => undefined);
  const stats = { sent: 0, acknowledged: 0, valueBytes: 0, lastId: 0, errors: 0, lastAckAt: 0 };
  const report = (event: SenderEvent) => {
    if (event.kind === 'sending') stats.sent += event.count;
    else if (event.kind === 'acknowledged') {
      stats.acknowledged += event.count;
      stats.valueBytes += event.bytes;
      stats.lastId = Math.max(stats.lastId, event.lastId);
      stats.lastAckAt = clock.now();
    } else stats.errors += 1;
    onEvent(event);
  };
  let stopRequested = false;
  let abandoned = false;
  let stopCurrent: () => void = () => undefined;
  let abandonCurrent: () => void = () => undefined;

  const done = (async (): Promise<RatingsSummary> => {
    const startupTimeoutMs = options.startupTimeoutMs ?? defaultStartupTimeoutMs;
    await ensureTopic(options.bootstrapServers, options.topic, startupTimeoutMs);
    const highestInTopic =
      options.startId === undefined
        ? await highestRatingId(
            options.bootstrapServers,
            options.topic,
            startupTimeoutMs,
            options.records === 'syslog' ? 'id' : 'rating_id',
          )
        : null;
    const firstRatingId = options.startId ?? (highestInTopic as number) + 1;
    const schemaId =
      options.format === 'avro' ? await registerRatingSchema(options.schemaRegistryUrl, options.topic) : undefined;
    const seed = options.seed ?? new RatingSequence().seed;
    const producers = options.rate === 'max' ? (options.producers ?? defaultProducers()) : 1;
    const sender = {
      bootstrapServers: options.bootstrapServers,
      topic: options.topic,
      records: options.records,
      seed,
      customers: options.customers,
      format: options.format,
      schemaRegistryUrl: options.schemaRegistryUrl,
      schemaId,
      batchSize: RatingSequence.blockSize,
      connectTimeoutMs: startupTimeoutMs,
    };
    const started = { kind: 'started', seed, producers, firstRatingId, highestInTopic } as const;
    let startedAt = 0;
    let stoppedBy: StopReason;
    if (producers > 1) {
      const pool = runWorkerPool(producers, sender, { ...options, firstId: firstRatingId }, report);
      stopCurrent = pool.stop;
      abandonCurrent = pool.abandon;
      if (stopRequested) pool.stop();
      onEvent(started);
      ({ startedAt, stopReason: stoppedBy } = await pool.done);
    } else {
      const pacer = new Pacer({
        rate: options.rate,
        firstId: firstRatingId,
        count: options.count,
        durationMs: options.durationMs,
        clock,
      });
      stopCurrent = () => pacer.stop();
      if (stopRequested) pacer.stop();
      await runSender(pacer, {
        ...sender,
        report,
        clock,
        abandoned: () => abandoned,
        whenConnected: async () => {
          startedAt = clock.now();
          onEvent(started);
        },
      });
      stoppedBy = pacer.stopReason ?? 'count';
    }
    const elapsedMs = Math.max(1, (stats.acknowledged > 0 ? stats.lastAckAt : clock.now()) - startedAt);
    return {
      topic: options.topic,
      format: options.format,
      seed,
      producers,
      sent: stats.sent,
      acknowledged: stats.acknowledged,
      firstRatingId: stats.acknowledged > 0 ? firstRatingId : null,
      lastRatingId: stats.acknowledged > 0 ? stats.lastId : null,
      errors: stats.errors,
      elapsedMs,
      recordsPerSecond: (stats.acknowledged * 1000) / elapsedMs,
      valueBytes: stats.valueBytes,
      megabytesPerSecond: (stats.valueBytes * 1000) / elapsedMs / 1_048_576,
      stoppedBy,
    };
  })();

  return {
    done,
    stop: () => {
      stopRequested = true;
      onEvent({ kind: 'stopping', inFlight: stats.sent - stats.acknowledged });
      stopCurrent();
    },
    abandon: () => {
      abandoned = true;
      abandonCurrent();
    },
  };
}
