/**
 * A service the platform does not run is absent, not unreachable; one that is part of it but down is named. On the
 * local stack of real servers, whatever is installed: WORKSHOP_KSQLDB_URL=none and WORKSHOP_SCHEMA_REGISTRY_URL=none
 * say the platform runs neither (as the stack hands out where they are not installed), and a Kafka Connect URL where
 * nothing listens is a Connect that is down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { loadCustomers } from '#workshop/dev/testing/fixtures.js';
import { stopKitProcesses } from '#workshop/dev/testing/kit-processes.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

describeWithStack('a platform without ksqlDB or a Schema Registry, and one whose Kafka Connect is down', (stack) => {
  let state: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'absent-state-'));
    env = {
      ...workshopEnv(stack()),
      WORKSHOP_KSQLDB_URL: 'none',
      WORKSHOP_SCHEMA_REGISTRY_URL: 'none',
      WORKSHOP_STATE_DIR: state,
    };
    await loadCustomers(stack());
  });

  afterAll(async () => {
    if (env) await runCli(['reset'], env, 3 * 60_000).catch(() => undefined);
    // Whatever reset said: nothing this suite started may outlive it.
    if (state) stopKitProcesses(state);
    rmSync(state, { recursive: true, force: true });
  }, 4 * 60_000);

  it('reset succeeds, leaving ksqlDB and the registry out and saying so', async () => {
    const reset = await runCli(['reset'], env);
    expect(reset.code, `${reset.stdout}\n${reset.stderr}`).toBe(0);
    expect(reset.stdout).toContain(
      '(nothing in ksqlDB: ksqlDB is not part of this platform (WORKSHOP_KSQLDB_URL=none))',
    );
    expect(reset.stdout).toContain(
      '(nothing in Schema Registry: Schema Registry is not part of this platform (WORKSHOP_SCHEMA_REGISTRY_URL=none))',
    );
    expect(reset.stdout).not.toMatch(/ksqlDB (stream|table) /);
    expect(reset.stderr).not.toContain('not reachable');
    const step9 = await runCli(['reset', 'step-9'], env);
    expect(step9.code, `${step9.stdout}\n${step9.stderr}`).toBe(0);
  });

  it('check of a ksqlDB step says ksqlDB is not part of this platform, exit 3', async () => {
    const check = await runCli(['check', 'step-4'], env);
    expect(check.code, check.stderr).toBe(3);
    expect(`${check.stdout}${check.stderr}`).toContain(
      'ksqlDB is not part of this platform (WORKSHOP_KSQLDB_URL=none)',
    );
    expect(`${check.stdout}${check.stderr}`).not.toContain('127.0.0.1:8088');
  });

  it(
    'solve of the steps before ksqlDB works; solve of a ksqlDB step says why it cannot, exit 3',
    async () => {
      const three = await runCli(['solve', 'step-3'], env, 3 * 60_000);
      expect(three.code, `${three.stdout}\n${three.stderr}`).toBe(0);
      const four = await runCli(['solve', 'step-4'], env, 3 * 60_000);
      expect(four.code, `${four.stdout}\n${four.stderr}`).toBe(3);
      expect(four.stderr).toContain('ksqlDB is not part of this platform (WORKSHOP_KSQLDB_URL=none)');
    },
    4 * 60_000,
  );

  it(
    'reset with Kafka Connect down removes the rest, names what it left and the command to finish, exit 3',
    async () => {
      const kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: 'my-leftover-experiment' }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
      const down = { ...env, WORKSHOP_CONNECT_URL: `http://127.0.0.1:${await freePort()}` };
      const reset = await runCli(['reset'], down, 3 * 60_000);
      expect(reset.code, `${reset.stdout}\n${reset.stderr}`).toBe(3);
      // What Connect holds is named, with the reason and the command that finishes the job...
      expect(reset.stderr).toContain('Not removed, because Kafka Connect could not be reached:');
      expect(reset.stderr).toMatch(/✗ step-3: connector "customers-cdc" with its offsets.*is not reachable/);
      expect(reset.stderr).toContain('✗ every other connector');
      expect(reset.stderr).toContain(
        'Once npm run status shows Kafka Connect healthy, run npm run reset again to finish.',
      );
      // ...and everything else is removed: step 2's producer and topic, the learner's own topic.
      expect(reset.stdout).toContain('✓ producer "ratings-producer" stopped');
      expect(reset.stdout).toContain('✓ topic "my-leftover-experiment" deleted');
      // With Connect back, the same command finishes the job.
      const again = await runCli(['reset'], env, 3 * 60_000);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
      expect(again.stdout).toContain('✓ connector "customers-cdc" deleted (offsets cleared)');
    },
    6 * 60_000,
  );

  it(
    'rehearse leaves out the steps that need ksqlDB and those that build on them, and passes the rest',
    async () => {
      const rehearse = await runCli(['rehearse', '--to', 'step-5'], env, 5 * 60_000);
      expect(rehearse.code, `${rehearse.stdout}\n${rehearse.stderr}`).toBe(0);
      expect(rehearse.stdout).toMatch(/step-1 .* without ksqlDB \(not part of this platform\)/);
      expect(rehearse.stdout).toMatch(/step-3 .* fails /);
      expect(rehearse.stdout).toMatch(/step-4 .* left out \(ksqlDB is not part of this platform\)/);
      expect(rehearse.stdout).toMatch(/step-5 .* left out \(builds on step-4\)/);
      expect(rehearse.stdout).toContain('Rehearsal passed: 5 step(s)');
    },
    6 * 60_000,
  );
});
