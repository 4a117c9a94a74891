/**
 * The producing loop behind `datagen ratings`: claim the next rating ids, make those ratings, send them as one batch
 * and wait for Kafka to acknowledge them before claiming more. One loop runs in the command's own thread, or one per
 * worker thread at full speed; both run this code.
 *
 * Why ids stay gap-free and unduplicated through a broker restart: the producer is idempotent (Kafka drops a batch it
 * already wrote, by producer id and sequence number) and waits for all in-sync replicas; a batch is sent again, with
 * the same records, until it is acknowledged; and a claimed id is always sent, even after a stop.
 */
import { type Kafka, logLevel, type Producer } from 'kafkajs';
import { EnvironmentError, WorkshopError } from '#core/errors.js';
import { type KafkaClientOptions, kafkaClient } from '#core/kafka-client.js';
import { type Clock, NotYet, systemClock, waitFor } from '#core/wait.js';
import { avroEncoder } from './avro.js';
import { type CustomerIds, type Rating, RatingSequence } from './rating.js';
import { SyslogSequence } from './syslog.js';

/** A run of consecutive rating ids to make and send. */
export interface Claim {
  first: number;
  count: number;
}

/** Hands out rating ids, in order, until the run is over (undefined). */
export interface Claims {
  next(max: number): Promise<Claim | undefined>;
}

export type SenderEvent =
  | { kind: 'sending'; count: number }
  | { kind: 'acknowledged'; count: number; bytes: number; lastId: number }
  | { kind: 'retrying'; message: string };

/** What the loop makes: rating events (the default), or syslog events (`datagen syslog`, always JSON). */
export type RecordsKind = 'ratings' | 'syslog';

export interface SenderOptions {
  bootstrapServers: string[];
  topic: string;
  records?: RecordsKind;
  seed: number;
  customers: CustomerIds;
  format: 'json' | 'avro';
  schemaRegistryUrl: string;
  /** Set for avro: the id the registry gave the rating schema. */
  schemaId?: number;
  /** The most records in one batch. */
  batchSize: number;
  /** How long the producer may take to connect before the run gives up; 10 s if not given. */
  connectTimeoutMs?: number;
  report: (event: SenderEvent) => void;
  /** Called once the producer is connected; the loop starts claiming when it resolves. */
  whenConnected?: () => Promise<void>;
  /** True after a second Ctrl-C: stop retrying a batch Kafka does not acknowledge. */
  abandoned?: () => boolean;
  clock?: Clock;
}

/** What a run's records are called in its messages. */
export const recordsNoun = (records: RecordsKind = 'ratings') => (records === 'syslog' ? 'syslog events' : 'ratings');

/** Pause between two attempts at a batch that kafkajs gave up on (it has already retried with its own back-off). */
const resendIntervalMs = 1_000;

/** The kafkajs client the generator uses: its log is turned into events rather than printed. */
export function datagenKafka(
  bootstrapServers: string[],
  onError: (message: string) => void,
  overrides: Partial<KafkaClientOptions> = {},
): Kafka {
  return kafkaClient({
    clientId: 'workshop-datagen',
    brokers: bootstrapServers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Keep trying while a broker restarts; the back-off stays short so sending resumes soon after it is back.
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => {
      // "Response InitProducerId(key: 22, version: 1): The coordinator is not available": the reason is what matters.
      if (entry.level === logLevel.ERROR)
        onError(entry.log.message.replace(/^Response \w+\(key: \d+, version: \d+\): /, ''));
    },
    ...overrides,
  });
}

/** How long the generator waits for Kafka to answer when it starts, unless told otherwise. */
export const defaultStartupTimeoutMs = 10_000;

/** Kafka did not answer in time when the run started: not the person's mistake, and what to do about it. */
export function kafkaDidNotAnswer(bootstrapServers: string[], timeoutMs: number, reason: string): EnvironmentError {
  return new EnvironmentError(
    `Kafka at ${bootstrapServers.join(',')} did not answer within ${Math.round(timeoutMs / 1000)} s (${reason})`,
    'start the platform with npm run up (npm run status shows it), or point WORKSHOP_KAFKA_BOOTSTRAP_SERVERS at your broker',
  );
}

/**
 * The retry count given to kafkajs, which compares its attempts with it (`retryCount < retries`) before every retry:
 * unlimited, so a broker restart mid-run is waited out, until `end()`, after which every retry loop of the client
 * (connecting, finding the coordinator, fetching metadata) gives up at its next failure instead of running on.
 */
export class RetryBudget {
  private ended = false;

  end(): void {
    this.ended = true;
  }

  valueOf(): number {
    return this.ended ? 0 : Number.MAX_SAFE_INTEGER;
  }

  /** As kafkajs's options type it. */
  get retries(): number {
    return this as unknown as number;
  }
}

/** Whether sending the same batch again can succeed: the broker was away, slow or not yet the leader. */
export function isTransient(error: unknown): boolean {
  const { name, retriable } = error as { name?: string; retriable?: boolean };
  return name === 'KafkaJSNumberOfRetriesExceeded' || retriable === true;
}

/**
 * Connects the producer, or gives up after `timeoutMs` with an EnvironmentError. Giving up ends the retry budget, so
 * kafkajs stops trying in the background and the process can exit.
 */
async function connectWithin(
  producer: Producer,
  budget: RetryBudget,
  options: SenderOptions,
  lastError: () => string | undefined,
): Promise<void> {
  const timeoutMs = options.connectTimeoutMs ?? defaultStartupTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([producer.connect(), deadline]);
    if (outcome !== 'timed out') return;
    throw kafkaDidNotAnswer(options.bootstrapServers, timeoutMs, lastError() ?? 'the producer could not connect');
  } catch (error) {
    budget.end();
    void producer.disconnect().catch(() => undefined);
    if (error instanceof WorkshopError) throw error;
    throw new EnvironmentError(
      `Kafka at ${options.bootstrapServers.join(',')} did not let the producer connect: ${(error as Error).message}`,
      'check the broker (npm run status) and WORKSHOP_KAFKA_BOOTSTRAP_SERVERS',
    );
  } finally {
    clearTimeout(timer);
  }
}

export async function runSender(claims: Claims, options: SenderOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const budget = new RetryBudget();
  const retry = { initialRetryTime: 300, maxRetryTime: 5_000, retries: budget.retries };
  let lastError: string | undefined;
  const kafka = datagenKafka(
    options.bootstrapServers,
    (message) => {
      lastError = message;
      options.report({ kind: 'retrying', message });
    },
    { retry },
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry });
  const sequence =
    options.records === 'syslog'
      ? new SyslogSequence({ seed: options.seed })
      : new RatingSequence({ seed: options.seed, customers: options.customers });
  const encodeAvro =
    options.format === 'avro' ? avroEncoder(options.schemaRegistryUrl, options.schemaId as number) : undefined;
  await connectWithin(producer, budget, options, () => lastError);
  try {
    await options.whenConnected?.();
    for (;;) {
      const claim = await claims.next(options.batchSize);
      if (!claim) break;
      const sentAt = clock.now();
      const messages: { key: string; value: Buffer }[] = [];
      let bytes = 0;
      for (let id = claim.first; id < claim.first + claim.count; id++) {
        const record = sequence.make(id, sentAt);
        const value = encodeAvro ? await encodeAvro(record as Rating) : Buffer.from(JSON.stringify(record));
        bytes += value.length;
        messages.push({ key: String(id), value });
      }
      options.report({ kind: 'sending', count: claim.count });
      await sendUntilAcknowledged(
        producer,
        options.topic,
        messages,
        claim,
        options.abandoned,
        clock,
        recordsNoun(options.records),
      );
      options.report({ kind: 'acknowledged', count: claim.count, bytes, lastId: claim.first + claim.count - 1 });
    }
  } finally {
    if (!options.abandoned?.()) await producer.disconnect();
  }
}

async function sendUntilAcknowledged(
  producer: Producer,
  topic: string,
  messages: { key: string; value: Buffer }[],
  claim: Claim,
  abandoned: (() => boolean) | undefined,
  clock: Clock,
  noun: string,
): Promise<void> {
  const ids = `${claim.first}..${claim.first + claim.count - 1}`;
  await waitFor({
    what: `Kafka to acknowledge ${noun} ${ids}`,
    // Until acknowledged or abandoned: a broker that is away for a while is waited for, as the run is watched live.
    timeoutMs: Number.POSITIVE_INFINITY,
    intervalMs: resendIntervalMs,
    clock,
    giveUpIf: () => (abandoned?.() ? 'the run was abandoned' : undefined),
    probe: async () => {
      try {
        return await producer.send({ topic, acks: -1, messages });
      } catch (error) {
        if (!isTransient(error)) {
          throw new WorkshopError(`Kafka refused ${noun} ${ids} for topic ${topic}: ${(error as Error).message}`);
        }
        return new NotYet((error as Error).message);
      }
    },
  });
}
