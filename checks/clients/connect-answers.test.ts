import { describe, expect, it } from 'vitest';
import { fail } from '#checks/kind.js';
import { EnvironmentError } from '#core/errors.js';
import { connectReason, readConnector } from './connect-answers.js';
import type { Services } from './services.js';

/** Services whose Kafka Connect gives one answer, and notes the paths asked for. */
function answering(status: number, body: unknown) {
  const asked: string[] = [];
  const services = {
    connect: async (path: string) => {
      asked.push(path);
      return { status, body };
    },
  } as unknown as Services;
  return { services, asked };
}

const how = {
  missing: () => fail('no connector of that name'),
  usable: (body: { connector?: unknown }) => Boolean(body?.connector),
};

describe("a connector's resource as Kafka Connect answers it", () => {
  it('gives the body of a usable 200 answer, asking for the name as a path segment', async () => {
    const { services, asked } = answering(200, { connector: { state: 'RUNNING' } });
    expect(await readConnector(services, 'my connector', 'status', how)).toEqual({
      body: { connector: { state: 'RUNNING' } },
    });
    expect(asked).toEqual(['/connectors/my%20connector/status']);
  });

  it("gives the caller's observation for 404, and not yet for 409", async () => {
    expect(await readConnector(answering(404, undefined).services, 'c', 'config', how)).toEqual({
      observation: fail('no connector of that name'),
    });
    expect(await readConnector(answering(409, undefined).services, 'c', 'config', how)).toEqual({
      observation: { outcome: 'not-yet', found: 'Kafka Connect is rebalancing', hint: undefined },
    });
  });

  it("waits out a 5xx with Connect's reason, an environment error only if it lasts", async () => {
    const { services } = answering(500, { error_code: 500, message: 'Request timed out\nat org.apache…' });
    expect(await readConnector(services, 'c', 'status', how)).toEqual({
      observation: {
        outcome: 'not-yet',
        found: 'Kafka Connect answered GET /connectors/c/status with HTTP 500: Request timed out',
        hint: undefined,
        atDeadline: 'environment-error',
      },
    });
  });

  it('calls any other answer, or a body the caller cannot use, the worker’s trouble', async () => {
    for (const [status, body] of [
      [401, { connector: {} }],
      [200, undefined],
      [200, null],
      [200, 'not json'],
    ] as const) {
      const reading = readConnector(answering(status, body).services, 'c', 'status', { ...how, hint: 'see the logs' });
      await expect(reading).rejects.toThrow(EnvironmentError);
      await expect(reading).rejects.toMatchObject({
        message: `Kafka Connect answered GET /connectors/c/status with HTTP ${status}`,
        hint: 'see the logs',
      });
    }
  });

  it('says the first line of the reason, or nothing when there is none', () => {
    expect(connectReason({ message: 'first\nsecond' })).toBe(': first');
    expect(connectReason({ message: '' })).toBe('');
    expect(connectReason('text')).toBe('');
    expect(connectReason(undefined)).toBe('');
  });
});
