/**
 * The steps against the learners' real platform, docker-compose.yml under a Docker engine: the same checks, solve and
 * reset as on the local stack, with the default configuration a learner has. Skipped, with the reason, where no
 * engine answers (the GitHub Actions workflow runs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StartedDockerComposeEnvironment } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '#checks/types.js';
import { NotYet, waitFor } from '#core/wait.js';
import {
  composeUpTimeoutMs,
  dockerSkipReason,
  dockerTitle,
  startComposePlatform,
  stopComposePlatform,
} from '#workshop/dev/testing/docker-engine.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';

const minutes = (n: number) => n * 60_000;

describe.skipIf(dockerSkipReason !== undefined)(dockerTitle('the steps on the compose platform'), () => {
  let environment: StartedDockerComposeEnvironment | undefined;
  const env = { WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'compose-steps-state-')) };

  beforeAll(async () => {
    environment = await startComposePlatform();
  }, composeUpTimeoutMs);

  afterAll(async () => {
    await runCli(['reset'], env).catch(() => undefined);
    await stopComposePlatform(environment);
  }, minutes(3));

  it('step 1 passes on a healthy platform', async () => {
    const run = await runCli(['check', 'step-1', '--json'], env);
    expect(run.code, run.stdout).toBe(0);
  });

  it('step 3 fails before solving, naming the connector', async () => {
    const run = await runCli(['check', 'step-3'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('connector "customers-cdc": expected RUNNING');
  });

  it('solve step-3 brings steps 1-3 to passing, with the MySQL connector exactly as the learner writes it', async () => {
    const solve = await runCli(['solve', 'step-3'], env, minutes(3));
    expect(solve.code, solve.stdout + solve.stderr).toBe(0);
    expect(solve.stdout).not.toContain('for this platform:');
    const check = await runCli(['check', '--json'], env, minutes(2));
    // The steps in order until one does not pass: step 4, whose ksqlDB stream is not declared yet.
    expect(check.code, check.stdout).toBe(1);
    const results = JSON.parse(check.stdout) as StepResult[];
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['step-1', 'pass'],
      ['step-2', 'pass'],
      ['step-3', 'pass'],
      ['step-4', 'fail'],
    ]);
  });

  it('a paused connector fails step 3 with its own message', async () => {
    await runCli(['connector', 'apply', 'steps/03-stream-customers-cdc/solution/customers-cdc.json'], env);
    const paused = await fetch('http://127.0.0.1:8083/connectors/customers-cdc/pause', {
      method: 'PUT',
      signal: AbortSignal.timeout(10_000),
    });
    expect(paused.status).toBeLessThan(300);
    const run = await runCli(['check', 'step-3'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('found PAUSED');
    await runCli(['connector', 'resume', 'customers-cdc'], env);
  });

  it(
    'reports a stopped Kafka Connect container as an environment error naming it, and passes once it is back',
    async () => {
      const id = environment?.getContainer('kafka-connect-1').getId() ?? '';
      const docker = (...args: string[]) => {
        const result = spawnSync('docker', args, { encoding: 'utf8', timeout: minutes(2) });
        expect(result.status, `docker ${args.join(' ')}: ${result.stderr}`).toBe(0);
      };
      docker('stop', id);
      try {
        const run = await runCli(['check', 'step-3'], env);
        expect(run.code, run.stdout).toBe(3);
        expect(run.stdout).toMatch(/Kafka Connect at http:\/\/127\.0\.0\.1:8083 is not reachable/);
      } finally {
        docker('start', id);
      }
      await waitFor({
        what: 'step 3 to pass again after Kafka Connect restarted',
        timeoutMs: minutes(4),
        intervalMs: 5_000,
        probe: async () => {
          const run = await runCli(['check', 'step-3'], env);
          return run.code === 0 ? true : new NotYet(run.stdout.slice(-600));
        },
      });
    },
    minutes(6),
  );

  it(
    'npm run rehearse passes every step on the compose platform (the ksqlDB steps on cp-ksqldb-server)',
    async () => {
      const run = await runCli(['rehearse'], env, minutes(12));
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/Rehearsal passed: \d+ step\(s\)/);
    },
    minutes(13),
  );

  it(
    "a real Kibana 8.19 imports step 9's dashboard.ndjson as written: every object kept at the file's own version",
    async () => {
      const solve = await runCli(['solve', 'step-9'], env, minutes(8));
      expect(solve.code, `${solve.stdout}\n${solve.stderr}`).toBe(0);
      expect(solve.stdout).toContain('imported 8 saved objects');
      const file = readFileSync('steps/09-kibana-dashboard/solution/dashboard.ndjson', 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type?: string; id?: string; typeMigrationVersion?: string })
        .filter((o) => o.type);
      const found = await fetch(
        'http://127.0.0.1:5601/api/saved_objects/_find?type=index-pattern&type=lens&type=search&type=dashboard&per_page=100',
        { signal: AbortSignal.timeout(30_000) },
      );
      const body = (await found.json()) as {
        saved_objects: { type: string; id: string; typeMigrationVersion: string }[];
      };
      for (const object of file) {
        const stored = body.saved_objects.find((o) => o.type === object.type && o.id === object.id);
        // A version below what this Kibana writes would have been migrated up: the file would not be as 8.19 exports.
        expect(stored?.typeMigrationVersion, `${object.type} ${object.id}`).toBe(object.typeMigrationVersion);
      }
      await waitFor({
        what: 'step 9 to pass on the real Kibana and the real Elasticsearch sink',
        timeoutMs: minutes(4),
        intervalMs: 5_000,
        probe: async () => {
          const run = await runCli(['check', 'step-9'], env);
          return run.code === 0 ? true : new NotYet(run.stdout.slice(-600));
        },
      });
    },
    minutes(14),
  );

  it(
    'the real Confluent sink with key.ignore true for the counts: step 8 fails, the counts piling up',
    async () => {
      const solution = JSON.parse(
        readFileSync('steps/08-stream-to-elasticsearch/solution/elasticsearch-sink.json', 'utf8'),
      ) as { name: string; config: Record<string, string> };
      solution.config['key.ignore'] = 'true';
      const file = path.join(env.WORKSHOP_STATE_DIR, 'sink-key-ignored.json');
      writeFileSync(file, JSON.stringify(solution));
      await runCli(['reset', 'step-8'], env, minutes(3));
      const applied = await runCli(['connector', 'apply', file], env);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      await waitFor({
        what: 'step 8 to fail with the counts piling up',
        timeoutMs: minutes(4),
        intervalMs: 5_000,
        probe: async () => {
          const run = await runCli(['check', 'step-8'], env);
          return run.code === 1 && run.stdout.includes('so the rows pile up')
            ? true
            : new NotYet(run.stdout.slice(-600));
        },
      });
    },
    minutes(9),
  );

  it(
    'step 10 passes with the notifications app solve starts, and reset stops it',
    async () => {
      const solve = await runCli(['solve', 'step-10'], env, minutes(8));
      expect(solve.code, `${solve.stdout}\n${solve.stderr}`).toBe(0);
      await waitFor({
        what: 'step 10 to pass',
        timeoutMs: minutes(3),
        intervalMs: 5_000,
        probe: async () => {
          const run = await runCli(['check', 'step-10'], env);
          return run.code === 0 ? true : new NotYet(run.stdout.slice(-600));
        },
      });
      const reset = await runCli(['reset', 'step-10'], env);
      expect(reset.stdout).toContain('consumer group "workshop-notify" deleted');
    },
    minutes(12),
  );
});
