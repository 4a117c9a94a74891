/**
 * Full speed with several producers: JavaScript runs one thread, and kafkajs spends most of it encoding records, so
 * `datagen ratings --rate max` runs one producer per worker thread. The workers claim blocks of rating ids from one
 * shared counter (so ids never overlap and, as every claimed block is sent, never leave a gap) and make each block's
 * ratings from the block's own seed (so the records are the ones a single producer would make). Claims end on a
 * block boundary, so a run that starts mid-block (continuing a topic) does not redraw a block's start in every claim.
 */
import { Worker } from 'node:worker_threads';
import { EnvironmentError, ExitCode, WorkshopError } from '#core/errors.js';
import type { StopReason } from './pacer.js';
import { RatingSequence } from './rating.js';
import type { Claim, Claims, SenderEvent, SenderOptions } from './ratings-sender.js';

export interface WorkerInput {
  role: 'datagen-ratings-worker';
  sender: Omit<SenderOptions, 'report' | 'whenConnected' | 'abandoned' | 'clock'>;
  /** [next rating id, stop flag], shared by every worker. */
  state: BigInt64Array;
  /** The last rating id of the run, when it has a count. */
  lastId: number | undefined;
}

/** The most producers a run can have (`--producers`). */
export const maxProducers = 16;

export type WorkerMessage =
  | { kind: 'connected' }
  | { kind: 'finished' }
  | { kind: 'failed'; message: string; hint: string | undefined; exitCode: number }
  | SenderEvent;

/**
 * Claims from the shared counter: each call takes up to the next `max` ids, never past the end of their rating block
 * nor past `lastId`; a compare-and-swap makes concurrent workers take distinct ids.
 */
export class SharedClaims implements Claims {
  constructor(
    private readonly state: BigInt64Array,
    private readonly lastId: number | undefined,
  ) {}

  async next(max: number): Promise<Claim | undefined> {
    for (;;) {
      if (Atomics.load(this.state, 1) !== 0n) return undefined;
      const next = Atomics.load(this.state, 0);
      const first = Number(next);
      const remaining = (this.lastId ?? Number.POSITIVE_INFINITY) - first + 1;
      if (remaining <= 0) return undefined;
      const blockLeft = RatingSequence.blockSize - ((first - 1) % RatingSequence.blockSize);
      const count = Math.min(max, remaining, blockLeft);
      if (Atomics.compareExchange(this.state, 0, next, next + BigInt(count)) === next) return { first, count };
    }
  }
}

/** The counter the workers share, starting at `firstId`. */
export function sharedClaimState(firstId: number): BigInt64Array {
  const state = new BigInt64Array(new SharedArrayBuffer(16));
  state[0] = BigInt(firstId);
  return state;
}

/** The workers run TypeScript through tsx, as the rest of the kit does. */
function startWorker(input: WorkerInput): Worker {
  const entry = new URL('./ratings-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData: input });
}

export interface PoolRun {
  /** Resolves when every worker has finished: when the last acknowledgement came and why the run ended. */
  done: Promise<{ startedAt: number; stopReason: StopReason }>;
  stop(): void;
  abandon(): void;
}

export function runWorkerPool(
  workers: number,
  sender: WorkerInput['sender'],
  limits: { firstId: number; count?: number; durationMs?: number },
  onEvent: (event: SenderEvent) => void,
): PoolRun {
  const state = sharedClaimState(limits.firstId);
  const lastId = limits.count === undefined ? undefined : limits.firstId + limits.count - 1;
  let reason: StopReason | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  const threads: Worker[] = [];
  const stop = (why: StopReason) => {
    reason ??= why;
    Atomics.store(state, 1, 1n);
  };
  /** After a failure: release the workers still waiting to start, so they see the stop and finish. */
  const release = () => {
    for (const thread of threads) thread.postMessage('go');
  };

  const done = new Promise<{ startedAt: number; stopReason: StopReason }>((resolve, reject) => {
    let connected = 0;
    let finished = 0;
    let startedAt = 0;
    let failure: Error | undefined;
    const settle = () => {
      if (finished < workers) return;
      clearTimeout(durationTimer);
      if (failure) reject(failure);
      else resolve({ startedAt, stopReason: reason ?? 'count' });
    };
    for (let i = 0; i < workers; i++) {
      const worker = startWorker({ role: 'datagen-ratings-worker', sender, state, lastId });
      threads.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        switch (message.kind) {
          case 'connected':
            connected += 1;
            if (connected === workers) {
              startedAt = Date.now();
              if (limits.durationMs !== undefined)
                durationTimer = setTimeout(() => stop('duration'), limits.durationMs);
              release();
            }
            break;
          case 'finished':
            finished += 1;
            settle();
            break;
          case 'failed':
            // The others stop claiming and finish what they hold.
            stop('stopped');
            release();
            failure ??=
              message.exitCode === ExitCode.environment
                ? new EnvironmentError(message.message, message.hint)
                : new WorkshopError(message.message, message.hint);
            finished += 1;
            settle();
            break;
          default:
            onEvent(message);
        }
      });
      worker.on('error', (error) => {
        stop('stopped');
        release();
        failure ??= error;
        finished += 1;
        settle();
      });
    }
  });

  return {
    done,
    stop: () => stop('stopped'),
    abandon: () => {
      stop('stopped');
      clearTimeout(durationTimer);
      for (const thread of threads) void thread.terminate();
    },
  };
}
