/**
 * `npm run datagen -- ratings [options]`: produces rating events to Kafka until stopped (or for --count / --duration).
 * On a terminal one live line shows progress; in CI, with --quiet or --json, only the summary at the end is printed.
 * Ctrl-C stops making ratings and waits for what is in flight; a second Ctrl-C gives up on it.
 */

import {
  defineCommand,
  durationFlag,
  OptionError,
  optionsHelp,
  parseChoice,
  parseCommand,
  parseCustomerIds,
  parsePositiveInteger,
  parseRate,
  parseTopic,
  seedFlag,
} from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { isInteractive, progress } from '#core/output.js';
import { stopOnInterrupt } from '#core/process.js';
import { seededCustomerIds } from './customers.js';
import type { CustomerIds } from './rating.js';
import { maxProducers } from './ratings-pool.js';
import { type RatingsRunOptions, type RatingsSummary, type RunEvent, startRatings } from './ratings-producer.js';
import type { RecordsKind } from './ratings-sender.js';

export const ratingsSpec = defineCommand({
  name: 'ratings',
  usage:
    'npm run datagen -- ratings [--rate N|max] [--count N | --duration 30s] [--start-id N] [--seed N] [--topic ratings] [--customers 1-20] [--format json|avro] [--producers N] [--quiet] [--json]',
  summary: 'produce rating events to Kafka until stopped (or for --count / --duration)',
  flags: {
    rate: {
      type: 'string',
      value: 'N|max',
      description: 'ratings per second, or max for no limit',
      // A few a second, like the talk's demo: slow enough to watch, fast enough for a one-minute window to fill.
      default: 3,
      parse: (raw) => parseRate(raw, { allowMax: true }),
    },
    count: { type: 'number', min: 1, max: Number.MAX_SAFE_INTEGER, description: 'stop after this many ratings' },
    duration: durationFlag,
    'start-id': {
      type: 'string',
      value: 'N',
      description: 'the first rating_id (default: after the highest in the topic)',
      parse: (raw) => parsePositiveInteger('start-id', raw),
    },
    seed: seedFlag,
    topic: {
      type: 'string',
      value: 'NAME',
      description: 'the topic to produce to',
      default: 'ratings',
      parse: parseTopic,
    },
    customers: {
      type: 'string',
      value: 'FIRST-LAST',
      description: 'the customer ids ratings are for (default: the seeded customers, 1-20)',
      parse: parseCustomerIds,
    },
    format: {
      type: 'string',
      value: 'json|avro',
      description: 'the records’ format',
      default: 'json',
      parse: (raw) => parseChoice('format', raw, ['json', 'avro'] as const),
    },
    producers: {
      type: 'string',
      value: 'N',
      description: `producers in parallel, with --rate max (1 to ${maxProducers})`,
    },
    quiet: { type: 'boolean', description: 'print only the summary' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  notes: optionsHelp,
  usageAsHint: true,
});

export interface RatingsCommandOptions {
  rate: number | 'max';
  count?: number;
  durationMs?: number;
  /** The first rating_id; without it the run continues after the highest one in the topic. */
  startId?: number;
  seed?: number;
  topic: string;
  customers: CustomerIds;
  format: 'json' | 'avro';
  producers?: number;
  quiet: boolean;
  json: boolean;
}

export function parseRatingsArgs(args: string[]): RatingsCommandOptions {
  return parseCommand(ratingsSpec, args, ({ values }) => {
    const { rate, count, producers } = values;
    const startId = values['start-id'];
    if (count !== undefined && values.duration !== undefined) {
      throw new OptionError('give --count or --duration, not both');
    }
    if (producers !== undefined && rate !== 'max') {
      throw new OptionError('--producers only applies at full speed (--rate max); a paced run uses one producer');
    }
    if (startId !== undefined && count !== undefined && startId > Number.MAX_SAFE_INTEGER - count + 1) {
      throw new OptionError(
        `--start-id ${startId} with --count ${count} goes past ${Number.MAX_SAFE_INTEGER}, the highest rating_id`,
      );
    }
    return {
      rate,
      count,
      durationMs: values.duration,
      startId,
      seed: values.seed,
      topic: values.topic,
      customers: values.customers ?? seededCustomerIds,
      format: values.format,
      producers: producers === undefined ? undefined : parsePositiveInteger('producers', producers, maxProducers),
      quiet: values.quiet,
      json: values.json,
    };
  });
}

const number = (n: number) => n.toLocaleString('en-US');

/** What a run makes, as its messages name it. */
export interface Produced {
  records: RecordsKind;
  /** "ratings", "syslog events". */
  noun: string;
  /** The id field: rating_id, id. */
  idName: string;
}

export const ratingsProduced: Produced = { records: 'ratings', noun: 'ratings', idName: 'rating_id' };

export function formatSummary(summary: RatingsSummary, what: Produced = ratingsProduced): string {
  const { noun, idName } = what;
  const ids = summary.lastRatingId === null ? '' : ` (${idName} ${summary.firstRatingId}..${summary.lastRatingId})`;
  const lost = summary.sent - summary.acknowledged;
  return [
    `acknowledged ${number(summary.acknowledged)} ${noun}${ids} on topic ${summary.topic}`,
    lost > 0 ? `, ${number(lost)} sent but not acknowledged` : '',
    ` in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.recordsPerSecond < 100 ? summary.recordsPerSecond.toFixed(1) : number(Math.round(summary.recordsPerSecond))} records/s,`,
    ` ${summary.megabytesPerSecond.toFixed(2)} MB/s, ${number(summary.errors)} ${summary.errors === 1 ? 'error' : 'errors'} retried.`,
    `\nseed ${summary.seed}: add --seed ${summary.seed} to make the same ${noun} again.\n`,
  ].join('');
}

/** Where the run's rating_ids begin, and why there. */
export function describeStart(
  event: Extract<RunEvent, { kind: 'started' }>,
  topic: string,
  what: Produced = ratingsProduced,
): string {
  const from = `${what.idName}s from ${event.firstRatingId}`;
  if (event.highestInTopic === null) return `${from} (--start-id)`;
  if (event.highestInTopic === 0) return `${from}: topic ${topic} holds no ${what.noun} yet`;
  return `${from}: topic ${topic} already holds ${what.idName}s up to ${event.highestInTopic}`;
}

/** The single live line: sent, acknowledged, rate and errors, redrawn at most ten times a second. */
class LiveLine {
  private sent = 0;
  private acknowledged = 0;
  private errors = 0;
  private lastError: string | undefined;
  private stopping = false;
  private startedAt = Date.now();
  private drawnAt = 0;

  constructor(private readonly topic: string) {}

  update(event: RunEvent): void {
    if (event.kind === 'started') this.startedAt = Date.now();
    else if (event.kind === 'sending') this.sent += event.count;
    else if (event.kind === 'acknowledged') {
      this.acknowledged += event.count;
      this.lastError = undefined;
    } else if (event.kind === 'retrying') {
      this.errors += 1;
      this.lastError = event.message;
    } else if (event.kind === 'stopping') this.stopping = true;
    const now = Date.now();
    if (event.kind === 'retrying' || event.kind === 'stopping' || now - this.drawnAt >= 100) this.draw(now);
  }

  draw(now = Date.now()): void {
    this.drawnAt = now;
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const rate = this.acknowledged / seconds;
    const retrying = this.lastError ? ` · retrying: ${this.lastError.slice(0, 80)}` : '';
    const stopping = this.stopping ? ' · stopping, Ctrl-C again to give up' : '';
    process.stderr.write(
      `\r\x1b[2K${this.topic}: sent ${number(this.sent)} · acknowledged ${number(this.acknowledged)} · ${rate.toFixed(1)}/s · errors ${number(this.errors)}${retrying}${stopping}`,
    );
  }

  end(): void {
    this.draw();
    process.stderr.write('\n');
  }
}

/** In CI or a log file: a line when Kafka stops answering and one when it answers again, nothing per record. */
function logTransitions(noun: string): (event: RunEvent) => void {
  let failing = false;
  return (event) => {
    if (event.kind === 'retrying' && !failing) {
      failing = true;
      progress(`Kafka is not acknowledging (${event.message}); retrying until it does`);
    } else if (event.kind === 'acknowledged' && failing) {
      failing = false;
      progress('Kafka is acknowledging again');
    } else if (event.kind === 'stopping') {
      progress(`stopping: waiting for ${event.inFlight} ${noun} in flight (Ctrl-C again to give up on them)`);
    }
  };
}

export async function ratingsCommand(args: string[]): Promise<number> {
  return produceCommand(parseRatingsArgs(args), ratingsProduced);
}

/** A run of a generator that produces to Kafka (ratings, syslog), as the command line asked, printed as it goes. */
export async function produceCommand(options: RatingsCommandOptions, what: Produced): Promise<number> {
  const { noun } = what;
  const config = loadConfig();
  const live = !options.quiet && !options.json && isInteractive() ? new LiveLine(options.topic) : undefined;
  const log = !options.quiet && !options.json && !live ? logTransitions(noun) : undefined;
  const until =
    options.count !== undefined
      ? `${number(options.count)} ${noun}`
      : options.durationMs !== undefined
        ? `${options.durationMs / 1000} s`
        : 'stopped (Ctrl-C)';
  if (!options.quiet && !options.json) {
    progress(
      `producing ${noun} to topic ${options.topic} on ${config.kafkaBootstrapServers.join(',')} as ${options.format}, ${options.rate === 'max' ? 'at full speed' : `${options.rate}/s`}, until ${until}`,
    );
  }
  const runOptions: RatingsRunOptions = {
    bootstrapServers: config.kafkaBootstrapServers,
    schemaRegistryUrl: config.schemaRegistryUrl,
    topic: options.topic,
    records: what.records,
    rate: options.rate,
    count: options.count,
    durationMs: options.durationMs,
    startId: options.startId,
    seed: options.seed,
    customers: options.customers,
    format: options.format,
    producers: options.producers,
    onEvent: (event) => {
      if (event.kind === 'started' && !options.quiet && !options.json)
        progress(describeStart(event, options.topic, what));
      live?.update(event);
      log?.(event);
    },
  };
  const run = startRatings(runOptions);
  const offInterrupt = stopOnInterrupt(
    () => run.stop(),
    () => {
      run.abandon();
      live?.end();
      process.stderr.write(`gave up on the ${noun} in flight: they may or may not be in the topic\n`);
    },
  );
  // SIGTERM (npm run down, a process manager) means stop now: the ratings in flight get a few seconds to be
  // acknowledged, and are given up when the broker does not answer (it may be what is stopping).
  const onTerminate = () => {
    run.stop();
    setTimeout(() => {
      run.abandon();
      live?.end();
      process.stderr.write(
        `stopped: gave up on the ${noun} still unacknowledged ${terminateGraceMs / 1000} s after SIGTERM\n`,
      );
      process.exit(143);
    }, terminateGraceMs).unref();
  };
  process.on('SIGTERM', onTerminate);
  try {
    const summary = await run.done;
    live?.end();
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, what));
    return ExitCode.ok;
  } catch (error) {
    live?.end();
    throw error;
  } finally {
    offInterrupt();
    process.off('SIGTERM', onTerminate);
  }
}

/** How long ratings in flight may take to be acknowledged after SIGTERM. */
const terminateGraceMs = 5_000;
