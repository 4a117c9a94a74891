/**
 * The notifications app's engine: a kafkajs consumer of the unhappy platinum customers that delivers one
 * notification per record, at least once.
 *
 * - An offset is committed only after its notification was delivered (or its record reported and skipped), so a
 *   crash or a kill loses nothing: the records after the last commit are delivered again on the next start. What
 *   can repeat is the post in flight when the process died (the at-least-once window: one record).
 * - A failed post is retried with exponential backoff, or after the receiver's Retry-After; the consumer's heartbeat
 *   goes on while it waits, so a long outage does not cost the group its member.
 * - At most `rate` posts a second, so a burst cannot flood a channel.
 * - stop() (Ctrl-C) lets the post in flight finish, commits it and leaves the group; it does not start another.
 * - A receiver that refuses the URL for good (a 4xx other than 408 and 429) stops the app: retrying cannot help.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EachMessagePayload } from 'kafkajs';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { kafkaClient } from '#core/kafka-client.js';
import { type Notification, readNotification } from './notification.js';
import type { PostOutcome } from './webhook.js';

/** A clock whose sleep a stop can cut short. */
export interface NotifyClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const systemNotifyClock: NotifyClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

/** One line of the delivery log (JSON lines): what the check of the notifications step reads. */
export interface DeliveryLogEntry {
  at: string;
  topic: string;
  partition: number;
  offset: string;
  ratingId?: number;
  to?: 'webhook' | 'terminal';
  attempts?: number;
  /** Set for a record that was reported and skipped instead of delivered. */
  skipped?: string;
  /** The line a new group writes where it starts: the record before its first, which it did not deliver. */
  pinned?: boolean;
}

export type NotifyEvent =
  | { kind: 'listening'; topic: string; group: string; partitions: number }
  | {
      kind: 'delivered';
      notification: Notification;
      partition: number;
      offset: string;
      attempts: number;
      /** From the record's timestamp (the rating's time) to the post answered. */
      sinceRecordMs: number;
    }
  | { kind: 'skipped'; partition: number; offset: string; problem: string }
  | { kind: 'retrying'; reason: string; inMs: number; attempt: number }
  | { kind: 'uncommitted'; partition: number; offset: string; reason: string }
  | { kind: 'stopping' };

export interface NotifierOptions {
  brokers: string[];
  topic: string;
  group: string;
  /** For a group without committed offsets: start at the topic's first record instead of its end. */
  fromBeginning: boolean;
  deliver: (notification: Notification) => Promise<PostOutcome>;
  target: 'webhook' | 'terminal';
  /** Posts per second at most, or 'off'. */
  rate: number | 'off';
  deliveryLog?: string;
  onEvent?: (event: NotifyEvent) => void;
  clock?: NotifyClock;
  backoff?: { firstMs: number; maxMs: number };
}

export interface NotifySummary {
  delivered: number;
  skipped: number;
  retries: number;
  elapsedMs: number;
}

/** The receiver refused for good: the URL is revoked or wrong, or the message is. */
export class WebhookRefused extends WorkshopError {}

/** The topic to read does not exist: the learner's step 6 (or a mistyped --topic), not the platform. */
export class TopicMissing extends WorkshopError {
  constructor(topic: string) {
    super(
      `topic ${topic} does not exist: it is written by step 6's UNHAPPY_PLATINUM_CUSTOMERS stream`,
      'npm run check step-6 says whether that stream runs; with --topic, check its spelling (topic names are case-sensitive)',
    );
  }
}

/** kafkajs' errors that mean the group is rebalancing and this member must rejoin. */
function rebalancing(error: unknown): boolean {
  const type = (error as { type?: string }).type;
  return ['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'].includes(
    type ?? '',
  );
}

/** Spaces posts at least 1/rate seconds apart. */
export class RateLimit {
  private next = 0;

  constructor(
    private readonly perSecond: number | 'off',
    private readonly clock: NotifyClock,
  ) {}

  /** Waits for the next slot; false when the wait was cut short by a stop. */
  async take(signal: AbortSignal): Promise<boolean> {
    if (this.perSecond === 'off') return !signal.aborted;
    const wait = this.next - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    if (signal.aborted) return false;
    this.next = Math.max(this.clock.now(), this.next) + 1000 / this.perSecond;
    return true;
  }
}

/** How long to wait before attempt `attempt + 1`: Retry-After when given (at most 5 minutes), else doubling. */
export function backoffMs(attempt: number, afterMs: number | undefined, backoff: { firstMs: number; maxMs: number }) {
  // Retry-After: 0 waits the first backoff all the same, so a receiver saying "now" cannot make a tight loop.
  if (afterMs !== undefined) return Math.min(Math.max(afterMs, backoff.firstMs), 300_000);
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * How often a consumer waiting on a retry tells the group it is alive: well inside its 10 s session, which is short so
 * that a killed app's partitions go to its next start within seconds.
 */
const heartbeatEveryMs = 2_000;

export function startNotifier(options: NotifierOptions): { stop(): void; done: Promise<NotifySummary> } {
  const clock = options.clock ?? systemNotifyClock;
  const backoff = options.backoff ?? { firstMs: 500, maxMs: 30_000 };
  const emit = (event: NotifyEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // Printing failed (a closed terminal): delivery goes on.
    }
  };
  const stopping = new AbortController();
  const limit = new RateLimit(options.rate, clock);
  const summary: NotifySummary = { delivered: 0, skipped: 0, retries: 0, elapsedMs: 0 };
  const startedAt = clock.now();
  let fatal: Error | undefined;
  let crashed: Error | undefined;

  const kafka = kafkaClient({
    clientId: 'workshop-notify',
    brokers: options.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    // After a stop, kafkajs must not restart the consumer on a retriable error.
    retry: { retries: 5, restartOnFailure: async () => !stopping.signal.aborted },
  });
  // A short fetch wait, so a stop does not wait long for the fetch in progress.
  const consumer = kafka.consumer({
    groupId: options.group,
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
    maxWaitTimeInMs: 500,
  });

  /** Appends to the delivery log; false (and the app stopping, with the reason) when the log cannot be written. */
  const log = (entry: Omit<DeliveryLogEntry, 'at' | 'topic'>): boolean => {
    if (!options.deliveryLog) return true;
    try {
      mkdirSync(path.dirname(options.deliveryLog), { recursive: true });
      const line: DeliveryLogEntry = { at: new Date().toISOString(), topic: options.topic, ...entry };
      appendFileSync(options.deliveryLog, `${JSON.stringify(line)}\n`);
      return true;
    } catch (error) {
      fatal = new WorkshopError(
        `could not write the delivery log ${options.deliveryLog}: ${(error as Error).message}`,
        "free some disk space or fix the folder's permissions, then start npm run notify again (the notification just posted may come once more)",
      );
      stop();
      return false;
    }
  };

  /**
   * Commits are coalesced: one is in flight at a time, and it carries the newest delivered offset of each partition,
   * so posting never waits on Kafka. A record is committed only after its post succeeded; what a crash can repeat is
   * what was posted during the last commit's round trip (the at-least-once window, a record or two).
   */
  const pending = new Map<number, string>();
  let committing: Promise<void> | undefined;
  const flush = async () => {
    try {
      while (pending.size > 0) {
        const batch = [...pending].map(([partition, offset]) => ({ topic: options.topic, partition, offset }));
        pending.clear();
        try {
          await consumer.commitOffsets(batch);
        } catch (error) {
          // The group is rebalancing: the records go to whoever owns the partitions next, and may come again.
          for (const { partition, offset } of batch) {
            emit({
              kind: 'uncommitted',
              partition,
              offset: (BigInt(offset) - 1n).toString(),
              reason: (error as Error).message,
            });
          }
        }
      }
    } finally {
      committing = undefined;
    }
  };
  const commit = (partition: number, offset: string) => {
    pending.set(partition, (BigInt(offset) + 1n).toString());
    committing ??= flush();
  };

  /** Waits `ms` unless stopped, heartbeating so the group keeps this member. */
  const wait = async (ms: number, heartbeat: () => Promise<void>) => {
    const until = clock.now() + ms;
    while (!stopping.signal.aborted && clock.now() < until) {
      await clock.sleep(Math.min(heartbeatEveryMs, until - clock.now()), stopping.signal);
      try {
        await heartbeat();
      } catch (error) {
        // The group is rebalancing: give the record back (uncommitted) so this member can rejoin; it comes again.
        if (rebalancing(error)) throw error;
      }
    }
  };

  /** The message being handled now: its post and its commit. */
  let inFlight: Promise<void> = Promise.resolve();
  /** consumer.run(), which joins the group: a stop while it joins waits for it, or kafkajs would join after all. */
  let started: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    if (stopped) return;
    emit({ kind: 'stopping' });
    stopping.abort();
    // The post in flight finishes and is committed while the consumer is still in its group; then it leaves.
    stopped = started
      .catch(() => undefined)
      .then(() => inFlight)
      .then(() => committing)
      .then(() => consumer.disconnect())
      .catch(() => undefined);
  };

  /** One record: deliver it (retrying until it is delivered, refused or the app stops), then commit it. */
  const handle = async ({ partition, message, heartbeat }: EachMessagePayload): Promise<void> => {
    if (stopping.signal.aborted) return;
    const read = readNotification(message.value === null ? null : message.value.toString());
    if ('problem' in read) {
      emit({ kind: 'skipped', partition, offset: message.offset, problem: read.problem });
      summary.skipped += 1;
      if (log({ partition, offset: message.offset, skipped: read.problem })) commit(partition, message.offset);
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      if (!(await limit.take(stopping.signal))) return;
      const outcome = await options.deliver(read);
      if (outcome.kind === 'delivered') {
        summary.delivered += 1;
        if (
          !log({ partition, offset: message.offset, ratingId: read.ratingId, to: options.target, attempts: attempt })
        ) {
          return;
        }
        emit({
          kind: 'delivered',
          notification: read,
          partition,
          offset: message.offset,
          attempts: attempt,
          sinceRecordMs: clock.now() - Number(message.timestamp),
        });
        commit(partition, message.offset);
        return;
      }
      if (outcome.kind === 'refused') {
        fatal = new WebhookRefused(
          `${outcome.reason}, for the notification of rating ${read.ratingId}: the webhook URL is revoked or wrong, or the receiver does not take this message, so posting again cannot help`,
          'check the webhook in your Slack app (or make a new one), set WORKSHOP_SLACK_WEBHOOK_URL to its URL, and start npm run notify again: it resumes with this notification',
        );
        stop();
        return;
      }
      summary.retries += 1;
      const inMs = backoffMs(attempt, outcome.afterMs, backoff);
      emit({ kind: 'retrying', reason: outcome.reason, inMs, attempt });
      await wait(inMs, heartbeat);
      if (stopping.signal.aborted) return;
    }
  };

  /**
   * A new group commits where it starts (the topic's end, or its beginning with fromBeginning) as soon as it joins,
   * so its lag means something from the first moment: an app stuck on its first notification shows as falling behind.
   * Read before the consumer resolves its own start, the pinned offset is never past it: nothing is skipped.
   */
  /** Where a new group starts, per partition, read before joining: committed on joining (see run). */
  const starts = new Map<number, string>();
  const pinStart = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(options.topic)) throw new TopicMissing(options.topic);
      const ends = await admin.fetchTopicOffsets(options.topic);
      const [committed] = await admin.fetchOffsets({ groupId: options.group, topics: [options.topic] });
      const unset = new Set((committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition));
      for (const p of ends.filter((e) => unset.has(e.partition))) {
        const offset = options.fromBeginning ? p.low : p.high;
        starts.set(p.partition, offset);
        // The check reads the record before a committed offset as the newest delivered: here, none was.
        if (BigInt(offset) > 0n) {
          log({ partition: p.partition, offset: (BigInt(offset) - 1n).toString(), pinned: true });
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  const run = async (): Promise<NotifySummary> => {
    // A new group commits where it starts as soon as it has its partitions and runs (kafkajs ignores a commit made
    // while it is still joining: it is not running until then; its first fetch says it is).
    const pinsDue = new Map<number, string>();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment[options.topic] ?? [];
      for (const partition of assigned) {
        const start = starts.get(partition);
        starts.delete(partition);
        if (start !== undefined) pinsDue.set(partition, start);
      }
      emit({ kind: 'listening', topic: options.topic, group: options.group, partitions: assigned.length });
    });
    consumer.on(consumer.events.FETCH_START, () => {
      if (pinsDue.size === 0) return;
      for (const [partition, start] of pinsDue) if (!pending.has(partition)) pending.set(partition, start);
      pinsDue.clear();
      committing ??= flush();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        crashed = event.payload.error;
        stop();
      }
    });
    try {
      await pinStart();
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      if (stopping.signal.aborted) return finish();
      if (error instanceof TopicMissing) throw error;
      throw new EnvironmentError(
        `could not reach Kafka at ${options.brokers.join(',')}: ${(error as Error).message}`,
        'check that the platform is up (npm run status), then start npm run notify again',
      );
    }
    // A Ctrl-C while connecting: nothing was read, nothing is in flight.
    if (stopping.signal.aborted) {
      await consumer.disconnect().catch(() => undefined);
      return finish();
    }
    started = consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const handled = handle(payload);
        inFlight = handled.catch(() => undefined);
        await handled;
      },
    });
    await started;
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      else stopping.signal.addEventListener('abort', () => resolve());
    });
    await stopped;
    return finish();
  };

  const finish = (): NotifySummary => {
    summary.elapsedMs = clock.now() - startedAt;
    if (fatal) throw fatal;
    if (crashed) {
      throw new EnvironmentError(
        `the consumer stopped: ${crashed.message}`,
        'check that the platform is up (npm run status), then start npm run notify again',
      );
    }
    return summary;
  };

  return { stop, done: run() };
}
