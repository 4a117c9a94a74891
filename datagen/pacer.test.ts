import { describe, expect, it } from 'vitest';
import { Pacer, type PacerClock } from './pacer.js';

/** A clock whose sleeps pass at once, moving its time on. */
function fakeClock(): PacerClock & { sleeps: number[]; advance(ms: number): void } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

async function drain(pacer: Pacer, clock: PacerClock, max = 100) {
  const claims: { first: number; count: number; at: number }[] = [];
  for (;;) {
    const claim = await pacer.next(max);
    if (!claim) return claims;
    claims.push({ ...claim, at: clock.now() });
  }
}

describe('the pacer', () => {
  it('hands out ids one by one at the rate, the first at once', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ rate: 4, count: 5, clock });
    expect(await drain(pacer, clock)).toEqual([
      { first: 1, count: 1, at: 0 },
      { first: 2, count: 1, at: 250 },
      { first: 3, count: 1, at: 500 },
      { first: 4, count: 1, at: 750 },
      { first: 5, count: 1, at: 1000 },
    ]);
    expect(pacer.stopReason).toBe('count');
  });

  it('catches up in one batch when the sender fell behind, up to the batch size', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ rate: 100, clock });
    expect(await pacer.next(50)).toEqual({ first: 1, count: 1 });
    clock.advance(1_000); // a slow send: 100 more are due by now
    expect(await pacer.next(50)).toEqual({ first: 2, count: 50 });
    expect(await pacer.next(500)).toEqual({ first: 52, count: 50 });
  });

  it('stops after the duration', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ rate: 2, durationMs: 2_000, clock });
    const claims = await drain(pacer, clock);
    expect(claims.map((c) => c.first)).toEqual([1, 2, 3, 4]);
    expect(pacer.stopReason).toBe('duration');
    expect(clock.now()).toBe(2_000);
  });

  it('at max rate hands out full batches without waiting', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ rate: 'max', count: 1_200, clock });
    expect((await drain(pacer, clock, 500)).map((c) => c.count)).toEqual([500, 500, 200]);
    expect(clock.sleeps).toEqual([]);
  });

  it('starts at the first id it is given: a run that continues a topic', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ rate: 'max', firstId: 51, count: 50, clock });
    expect(await drain(pacer, clock, 30)).toEqual([
      { first: 51, count: 30, at: 0 },
      { first: 81, count: 20, at: 0 },
    ]);
    expect(pacer.claimed).toBe(50);
  });

  it('stop() ends a wait at once, on the real clock too', async () => {
    const pacer = new Pacer({ rate: 0.01 }); // one id every 100 s
    expect(await pacer.next(1)).toEqual({ first: 1, count: 1 });
    // Without stop() the wait would last 100 s, past vitest's own timeout.
    const waiting = pacer.next(1);
    pacer.stop();
    expect(await waiting).toBeUndefined();
    expect(pacer.stopReason).toBe('stopped');
    expect(pacer.claimed).toBe(1);
  });
});
