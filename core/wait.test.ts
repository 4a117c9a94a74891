import { describe, expect, it } from 'vitest';
import { fakeClock as fakeClockFrom } from '#workshop/dev/testing/fake-clock.js';
import { TimeoutError, WorkshopError } from './errors.js';
import { NotYet, waitFor } from './wait.js';

const fakeClock = () => fakeClockFrom(1_000);

describe('waitFor', () => {
  it('returns the first value the probe gives, probing at the interval', async () => {
    const clock = fakeClock();
    let calls = 0;
    const value = await waitFor({
      what: 'the third call',
      probe: async () => (++calls === 3 ? 'ready' : new NotYet(`call ${calls}`)),
      timeoutMs: 60_000,
      intervalMs: 500,
      clock,
    });
    expect(value).toBe('ready');
    expect(clock.slept).toEqual([500, 500]);
  });

  it('times out at the deadline with what it waited for and the last reason', async () => {
    const clock = fakeClock();
    const waiting = waitFor({
      what: 'Kafka to answer',
      probe: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
      },
      timeoutMs: 2_000,
      intervalMs: 750,
      clock,
    });
    await expect(waiting).rejects.toThrow(TimeoutError);
    await expect(waiting).rejects.toThrow(
      'timed out after 2.0 s waiting for Kafka to answer; last seen: connect ECONNREFUSED 127.0.0.1:9092',
    );
    expect(clock.slept).toEqual([750, 750, 500]);
  });

  it('stops at once when giveUpIf says so', async () => {
    const clock = fakeClock();
    let probes = 0;
    await expect(
      waitFor({
        what: 'Elasticsearch',
        probe: async () => {
          probes++;
          return new NotYet('starting');
        },
        giveUpIf: () => (probes >= 2 ? 'the process exited with code 1' : undefined),
        timeoutMs: 60_000,
        clock,
      }),
    ).rejects.toThrow('gave up waiting for Elasticsearch: the process exited with code 1');
    expect(probes).toBe(2);
  });

  it('passes a WorkshopError from the probe straight through', async () => {
    await expect(
      waitFor({
        what: 'anything',
        probe: async () => {
          throw new WorkshopError('wrong password');
        },
        timeoutMs: 60_000,
        clock: fakeClock(),
      }),
    ).rejects.toThrow('wrong password');
  });
});
