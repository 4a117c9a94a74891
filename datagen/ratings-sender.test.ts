import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { seededCustomerIds } from './customers.js';
import { Pacer } from './pacer.js';
import { RetryBudget, runSender, type SenderOptions } from './ratings-sender.js';

const senderOptions = (port: number): SenderOptions => ({
  bootstrapServers: [`127.0.0.1:${port}`],
  topic: 'ratings',
  seed: 1,
  customers: seededCustomerIds,
  format: 'json',
  schemaRegistryUrl: 'http://127.0.0.1:1',
  batchSize: 500,
  report: () => undefined,
  connectTimeoutMs: 1_500,
});

describe('the producing loop', () => {
  it('gives up connecting to a broker that does not answer: an environment problem, exit code 3', async () => {
    const port = await freePort();
    const error = await runSender(new Pacer({ rate: 'max', count: 10 }), senderOptions(port)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toMatch(
      new RegExp(`^Kafka at 127\\.0\\.0\\.1:${port} did not answer within 2 s \\(.*ECONNREFUSED.*\\)$`),
    );
    expect((error as EnvironmentError).hint).toContain('WORKSHOP_KAFKA_BOOTSTRAP_SERVERS');
    expect((error as EnvironmentError).exitCode).toBe(3);
  });

  it('leaves no retrying behind when it gives up, so the process ends', async () => {
    const port = await freePort();
    const script = `
      import { runSender } from './datagen/ratings-sender.ts';
      import { Pacer } from './datagen/pacer.ts';
      const options = ${JSON.stringify({ ...senderOptions(port), report: undefined })};
      try {
        await runSender(new Pacer({ rate: 'max', count: 10 }), { ...options, report: () => undefined });
      } catch (error) {
        process.stdout.write(error.message);
        process.exitCode = error.exitCode;
      }`;
    // The deadline is the test's: a retry loop left running would keep the process alive past it.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.signal, 'the process was still running at the deadline').toBeNull();
    expect(child.status, child.stderr).toBe(3);
    expect(child.stdout).toContain(`Kafka at 127.0.0.1:${port} did not answer within 2 s`);
  }, 30_000);
});

describe('the retry budget', () => {
  it('is unlimited for kafkajs until ended, then none', () => {
    const budget = new RetryBudget();
    expect(0 < budget.retries).toBe(true);
    expect(Number(budget.retries)).toBe(Number.MAX_SAFE_INTEGER);
    budget.end();
    expect(0 < budget.retries).toBe(false);
  });
});
