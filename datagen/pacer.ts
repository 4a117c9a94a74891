/**
 * Paces a run: hands out the next ids when they are due at the given rate, until the count is reached, the duration
 * has passed or the run is stopped. The clock is a parameter so tests run an hour of pacing in no time.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '#core/wait.js';
import type { Claim, Claims } from './ratings-sender.js';

/** A clock whose sleep a stop can cut short, so a slow rate does not hold the process after Ctrl-C. */
export interface PacerClock extends Clock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const pacerClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

export type StopReason = 'count' | 'duration' | 'stopped';

export interface PacerOptions {
  /** Ids per second, or 'max' to hand them out as fast as they are asked for. */
  rate: number | 'max';
  /** The first id to hand out; 1 if not given. */
  firstId?: number;
  /** Stop after this many ids. */
  count?: number;
  /** Stop this long after the first claim. */
  durationMs?: number;
  clock?: PacerClock;
}

export class Pacer implements Claims {
  private readonly clock: PacerClock;
  private readonly firstId: number;
  private nextId: number;
  private startedAt: number | undefined;
  private reason: StopReason | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: PacerOptions) {
    this.clock = options.clock ?? pacerClock;
    this.firstId = options.firstId ?? 1;
    this.nextId = this.firstId;
  }

  /** Why the run ended, once it has. */
  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** Ids handed out so far. */
  get claimed(): number {
    return this.nextId - this.firstId;
  }

  /** Ends the run: the next claim, or the one waiting now, gets nothing. */
  stop(): void {
    this.reason ??= 'stopped';
    this.stopping.abort();
  }

  async next(max: number): Promise<Claim | undefined> {
    this.startedAt ??= this.clock.now();
    for (;;) {
      if (this.reason) return undefined;
      const remaining = (this.options.count ?? Number.POSITIVE_INFINITY) - this.claimed;
      if (remaining <= 0) {
        this.reason = 'count';
        return undefined;
      }
      const elapsed = this.clock.now() - this.startedAt;
      const durationLeft = (this.options.durationMs ?? Number.POSITIVE_INFINITY) - elapsed;
      if (durationLeft <= 0) {
        this.reason = 'duration';
        return undefined;
      }
      const { rate } = this.options;
      // The first id is due at once, the n-th at (n - 1) / rate seconds.
      const due = rate === 'max' ? Number.POSITIVE_INFINITY : Math.floor((elapsed * rate) / 1000) + 1 - this.claimed;
      if (due >= 1) {
        const count = Math.min(due, max, remaining);
        const claim = { first: this.nextId, count };
        this.nextId += count;
        return claim;
      }
      const untilDue = (this.claimed * 1000) / (rate as number) - elapsed;
      await this.clock.sleep(Math.max(1, Math.min(untilDue, durationLeft)), this.stopping.signal);
    }
  }
}
