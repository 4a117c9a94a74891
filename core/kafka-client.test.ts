import { logLevel } from 'kafkajs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { kafkaClient } from './kafka-client.js';

/** The settings each kafkajs client was made with. */
const made = vi.hoisted(() => [] as unknown[]);
vi.mock('kafkajs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('kafkajs')>();
  return {
    ...actual,
    Kafka: class {
      constructor(config: unknown) {
        made.push(config);
      }
    },
  };
});

beforeEach(() => {
  made.length = 0;
});

describe('the kafkajs client factory', () => {
  it('logs nothing, and leaves every setting it is not given to kafkajs', () => {
    kafkaClient({ brokers: '127.0.0.1:9092' });
    kafkaClient({ brokers: ['a:9092', 'b:9092'] });
    expect(made).toEqual([
      { brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING },
      { brokers: ['a:9092', 'b:9092'], logLevel: logLevel.NOTHING },
    ]);
  });

  it("keeps the caller's own settings as they are", () => {
    const restartOnFailure = async () => false;
    kafkaClient({
      clientId: 'workshop-notify',
      brokers: ['127.0.0.1:9092'],
      connectionTimeout: 5_000,
      requestTimeout: 15_000,
      retry: { retries: 5, restartOnFailure },
    });
    expect(made).toEqual([
      {
        clientId: 'workshop-notify',
        brokers: ['127.0.0.1:9092'],
        connectionTimeout: 5_000,
        requestTimeout: 15_000,
        retry: { retries: 5, restartOnFailure },
        logLevel: logLevel.NOTHING,
      },
    ]);
  });

  it("lets a caller that reads kafkajs' log choose its level", () => {
    const logCreator = () => () => undefined;
    kafkaClient({ brokers: 'x:1', logLevel: logLevel.ERROR, logCreator });
    expect(made).toEqual([{ brokers: ['x:1'], logLevel: logLevel.ERROR, logCreator }]);
  });
});
