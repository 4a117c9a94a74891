import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StepResult } from '#checks/types.js';
import { kafkaClient } from '#core/kafka-client.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { ksqldbStandIn, type StandIn } from '#workshop/dev/stack/standins.js';
import { loadCustomers } from '#workshop/dev/testing/fixtures.js';
import { collectTopic, waitForTopic } from '#workshop/dev/testing/kafka-records.js';
import { stopKitProcesses } from '#workshop/dev/testing/kit-processes.js';
import { runCli, startCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

// Kibana cannot run on this machine: the stack's stand-in answers step 1's question with its documented shape. ksqlDB
// is the stack's real server where one is installed, and a stand-in (an empty server) where not.
describeWithStack('catching up: reset, solve step-3, check', (stack) => {
  let ksqldb: StandIn | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    const real = stack().ksqldb;
    if (!('url' in real)) ksqldb = await ksqldbStandIn();
    env = {
      ...workshopEnv(stack()),
      ...(ksqldb ? { WORKSHOP_KSQLDB_URL: ksqldb.url } : {}),
      // Progress and the background producer's pid file go to a folder of this test's, not the learner's .workshop/.
      WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'catch-up-state-')),
    };
    await loadCustomers(stack());
  });

  afterAll(async () => {
    if (env) {
      await runCli(['reset'], env);
      // Whatever reset said: nothing this suite started may outlive it.
      stopKitProcesses(env.WORKSHOP_STATE_DIR as string);
    }
    await ksqldb?.close();
  });

  it('reset lists what it removes; solve step-3 brings steps 1 to 3 to passing; solving again changes nothing', async () => {
    // A learner's own experiment, which a clean start removes too; the platform's internal topics stay.
    const kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'my-experiment' }] });
    const reset = await runCli(['reset'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Back to a clean start:');
    expect(reset.stdout).toContain('✓ topic "my-experiment" deleted');
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain('my-experiment');
    expect(topics).toContain('_connect-configs');
    expect(reset.stdout).toContain(
      '  - step-3: connector "customers-cdc" with its offsets, and its topics mysql.*, schema-history.customers',
    );
    expect(reset.stdout).toContain('  - step-2: background producer "ratings-producer" and topic "ratings"');

    const before = await runCli(['check', 'step-2', '--passive'], env);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('topic "ratings": expected records valid against the rating schema');

    const solve = await runCli(['solve', 'step-3'], env);
    expect(solve.code, `${solve.stdout}\n${solve.stderr}`).toBe(0);
    expect(solve.stdout).toMatch(/producer "ratings-producer": started in the background/);
    expect(solve.stdout).toMatch(
      /connector "customers-cdc": created from steps\/03-stream-customers-cdc\/solution\/customers-cdc\.json/,
    );

    const check = await runCli(['check', '--json'], env);
    // The steps in order until one does not pass: step 4, whose ksqlDB stream is not declared yet.
    expect(check.code, check.stdout).toBe(1);
    const results = JSON.parse(check.stdout) as StepResult[];
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['step-1', 'pass'],
      ['step-2', 'pass'],
      ['step-3', 'pass'],
      ['step-4', 'fail'],
    ]);

    const again = await runCli(['solve', 'step-3'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/producer "ratings-producer": already running \(pid \d+\), left alone/);
    expect(again.stdout).toMatch(/connector "customers-cdc": already as in .* left unchanged/);
    expect(again.stdout).not.toMatch(/created|started in the background|updated/);

    const table = await runCli(['check'], env);
    expect(table.stdout).toMatch(/step-1 +✓ pass +\d{4}-\d\d-\d\d \d\d:\d\d +Start the platform/);
    expect(table.stdout).toMatch(/step-3 +✓ pass/);

    const resetStep3 = await runCli(['reset', 'step-3'], env);
    expect(resetStep3.stdout).toContain('Removing what step-3 and later steps created:');
    expect(resetStep3.stdout).toContain('✓ connector "customers-cdc" deleted (offsets cleared)');
    // Step 2's producer and topic stay; the later steps' ksqlDB objects and indexes are listed, but none existed.
    expect(resetStep3.stdout).not.toMatch(/producer "ratings-producer"|topic "ratings"/);
    expect(resetStep3.stdout).toContain('  - step-8: Elasticsearch indexes ratings_with_customer_data,');
    const after = await runCli(['check', 'step-3'], env);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(
      'connector "customers-cdc": expected RUNNING, with every task RUNNING, found no connectors at all',
    );
  });

  it('solve leaves a learner’s own running producer alone, and reset says it is still writing', async () => {
    expect((await runCli(['reset', 'step-2'], env)).code).toBe(0);
    // The learner's producer, started as the step-2 guide says, in a terminal of its own.
    const own = startCli(['datagen', 'ratings', '--rate', '20', '--quiet'], env, 180_000);
    try {
      await waitForTopic(stack().kafka.bootstrapServers, 'ratings');
      // Records, not only the topic: the producer is writing before solve looks.
      const topic = await collectTopic(stack().kafka.bootstrapServers, 'ratings');
      try {
        await topic.until('the learner’s first ratings', (records) => records.length > 0);
      } finally {
        await topic.close();
      }
      const solve = await runCli(['solve', 'step-2'], env);
      expect(solve.code, solve.stdout + solve.stderr).toBe(0);
      expect(solve.stdout).toContain(
        'producer "ratings-producer": not started, topic "ratings" is already receiving records from a producer of yours, left alone (later steps need it running: if you stop it, run npm run solve step-2 again and the kit starts its own)',
      );
      expect(existsSync(path.join(env.WORKSHOP_STATE_DIR ?? '', 'ratings-producer.pid'))).toBe(false);

      const reset = await runCli(['reset', 'step-2'], env);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain(
        '  ! records are still arriving in topic "ratings" from a producer the kit did not start: stop it',
      );
      expect(reset.stdout).toContain('once it is stopped, run npm run reset step-2 again\n');
      expect(reset.stdout).not.toContain('producer "ratings-producer" stopped');
    } finally {
      own.kill('SIGINT');
      await own.done;
    }
    // With nothing else writing, solve starts the kit's own producer again.
    const quiet = await runCli(['reset', 'step-2'], env);
    expect(quiet.stdout).not.toContain('records are still arriving');
    const solve = await runCli(['solve', 'step-2'], env);
    expect(solve.stdout).toMatch(/producer "ratings-producer": started in the background/);
  });
});
