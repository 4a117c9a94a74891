/**
 * `npm run flink` on the local stack's real Flink (JobManager, TaskManager and SQL Gateway from Maven Central's jars):
 * answers as tables, a query's rows with their changelog marks, the learner's tables kept between commands (each
 * command is a new gateway session), a job submitted and stopped, and each way a person can get it wrong.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { flinkVersions } from '#workshop/dev/stack/flink.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { freePorts } from '#workshop/dev/stack/ports.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithFlink } from '#workshop/dev/testing/stack-context.js';

interface JobsOverview {
  jobs: { jid: string; name: string; state: string }[];
}

describeWithFlink('npm run flink on a real Flink', (stack) => {
  const topic = `flink_cli_${Date.now().toString(36)}`;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'flink-cli-state-'));
  const env = () => ({ ...workshopEnv(stack()), WORKSHOP_STATE_DIR: stateDir });
  const flink = (...args: string[]) => runCli(['flink', ...args], env(), 120_000);
  const jobs = async () => {
    const response = await fetch(`${stack().flinkUrl}/jobs/overview`, { signal: AbortSignal.timeout(5_000) });
    return ((await response.json()) as JobsOverview).jobs;
  };
  const sourceTable = (name: string, bounded: boolean) =>
    `CREATE TABLE ${name} (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', ` +
    `'properties.bootstrap.servers' = '${stack().kafka.bootstrapServers}', 'scan.startup.mode' = 'earliest-offset', ` +
    `${bounded ? "'scan.bounded.mode' = 'latest-offset', " : ''}'format' = 'json')`;

  beforeAll(async () => {
    const producer = kafkaClient({ brokers: stack().kafka.bootstrapServers }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [1, 2, 3].map((id) => ({ value: JSON.stringify({ id, name: `name ${id}` }) })),
    });
    await producer.disconnect();
  }, 60_000);

  it('the stack runs a JobManager with one TaskManager of 8 slots, of the pinned version', async () => {
    const response = await fetch(`${stack().flinkUrl}/overview`, { signal: AbortSignal.timeout(5_000) });
    expect(await response.json()).toMatchObject({
      taskmanagers: 1,
      'slots-total': 8,
      'flink-version': flinkVersions().flink,
    });
  });

  it('prints a query’s rows with their changelog mark, and its count', async () => {
    const run = await flink('SELECT 1 AS x, 2 AS y');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^op +\| x +\| y *\n-+-\+-+-\+-+\n\+I +\| 1 +\| 2 *\n\(1 row\)\n$/);
  }, 120_000);

  it('keeps a declared table for the next command, which is a new session, and forgets it when dropped', async () => {
    const create = await flink(sourceTable('people', true));
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toBe('OK\n');
    expect(create.stderr).toContain('table people kept: the kit declares it again in every npm run flink');
    const kept = JSON.parse(readFileSync(path.join(stateDir, 'flink', 'declarations.json'), 'utf8'));
    expect(kept.objects).toEqual([
      {
        kind: 'TABLE',
        name: 'people',
        ddl: expect.stringMatching(/^CREATE TABLE `default_catalog`\.`default_database`\.`people`/),
      },
    ]);

    const read = await flink('SELECT id, name FROM people');
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('+I | 1            | name 1');
    expect(read.stdout).toMatch(/\(3 rows\)\n$/);

    const drop = await flink('DROP TABLE people');
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stderr).toContain('table people forgotten');
    const gone = await flink('SELECT id FROM people');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("Object 'people' not found");
  }, 240_000);

  it('runs a file, each statement headed; a SET holds for later commands too', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'flink-file-'));
    writeFileSync(
      path.join(folder, 'tables.sql'),
      `-- a table, a setting\n${sourceTable('people_file', true)};\nSET 'table.exec.source.idle-timeout' = '5 s';\nSHOW TABLES;\n`,
    );
    const run = await runCli(['flink', '-f', 'tables.sql'], { ...env(), INIT_CWD: folder }, 120_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("\n> SET 'table.exec.source.idle-timeout' = '5 s'\n");
    expect(run.stdout).toMatch(/\n> SHOW TABLES\ntable name\n-+\npeople_file\n/);
    const settings = await flink('SET');
    expect(settings.code, settings.stderr).toBe(0);
    expect(settings.stdout).toMatch(/table\.exec\.source\.idle-timeout +\| 5 s/);
  }, 240_000);

  it('submits an INSERT as a job that runs on, and STOP JOB stops it', async () => {
    const sinkTopic = `${topic}_copy`;
    const admin = kafkaClient({ brokers: stack().kafka.bootstrapServers }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: sinkTopic }], waitForLeaders: true });
    await admin.disconnect();
    await flink(sourceTable('people_stream', false));
    const sink = await flink(
      `CREATE TABLE people_copy (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${sinkTopic}', ` +
        `'properties.bootstrap.servers' = '${stack().kafka.bootstrapServers}', 'format' = 'json')`,
    );
    expect(sink.code, sink.stderr).toBe(0);
    const insert = await flink('INSERT INTO people_copy SELECT id, UPPER(name) FROM people_stream');
    expect(insert.code, insert.stderr).toBe(0);
    const jobId = /^job ([0-9a-f]{32}) submitted: it runs on the Flink cluster until stopped/.exec(insert.stdout)?.[1];
    expect(jobId, insert.stdout).toBeDefined();

    const consumer = kafkaClient({ brokers: stack().kafka.bootstrapServers }).consumer({
      groupId: `flink-cli-test-${Date.now()}`,
    });
    const copied: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: sinkTopic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          copied.push(message.value?.toString() ?? '');
        },
      });
      await waitFor({
        what: `the job to copy 3 records into ${sinkTopic}`,
        timeoutMs: 90_000,
        probe: async () => (copied.length >= 3 ? true : new NotYet(`${copied.length} copied`)),
      });
    } finally {
      await consumer.disconnect();
    }
    expect(copied.map((v) => JSON.parse(v))).toContainEqual({ id: 2, name: 'NAME 2' });
    expect((await jobs()).find((j) => j.jid === jobId)?.state).toBe('RUNNING');

    const stop = await flink(`STOP JOB '${jobId}'`);
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor({
      what: `job ${jobId} to end`,
      timeoutMs: 60_000,
      probe: async () => {
        const state = (await jobs()).find((j) => j.jid === jobId)?.state;
        return state && ['CANCELED', 'FINISHED'].includes(state) ? true : new NotYet(`state ${state}`);
      },
    });
  }, 300_000);

  it('stops an endless query at --timeout, and its job with it', async () => {
    await flink(sourceTable('people_endless', false));
    const run = await flink('SELECT id FROM people_endless', '--timeout', '8');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(3 rows, stopped\)\n$/);
    await waitFor({
      what: 'the query’s job to be cancelled',
      timeoutMs: 60_000,
      probe: async () => {
        const running = (await jobs()).filter((j) => j.state === 'RUNNING' && j.name.includes('people_endless'));
        return running.length === 0 ? true : new NotYet(`${running.length} still running`);
      },
    });
  }, 180_000);

  it('refuses a bad statement with Flink’s own words, exit 1; in a file, with its line', async () => {
    const run = await flink('SELECT nope FROM nowhere');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: Flink refused "SELECT nope FROM nowhere": SQL validation failed.');
    expect(run.stderr).toContain("Object 'nowhere' not found");
    expect(run.stderr).toContain('→ fix the statement and run it again');
    const folder = mkdtempSync(path.join(os.tmpdir(), 'flink-bad-'));
    writeFileSync(path.join(folder, 'bad.sql'), 'SHOW TABLES;\n\nSELEC 1;\n');
    const file = await runCli(['flink', '-f', 'bad.sql'], { ...env(), INIT_CWD: folder }, 120_000);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/Error: Flink refused "SELEC 1": bad\.sql, line 3: /);
  }, 180_000);

  describe('what a person can get wrong around it', () => {
    it('a statement without its end in a file, exit 2', async () => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'flink-open-'));
      writeFileSync(path.join(folder, 'open.sql'), 'SHOW TABLES;\nSHOW JOBS\n');
      const run = await runCli(['flink', '-f', 'open.sql'], { ...env(), INIT_CWD: folder });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('open.sql: the statement starting on line 2 does not end with ";" (SHOW JOBS)');
    });

    it('a gateway that does not answer, exit 3', async () => {
      const [port] = await freePorts(1);
      const run = await runCli(['flink', 'SHOW TABLES'], {
        ...env(),
        WORKSHOP_FLINK_SQL_GATEWAY_URL: `http://127.0.0.1:${port}`,
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`Error: Flink SQL Gateway at http://127.0.0.1:${port} is not reachable`);
    });

    it('a platform without Flink, exit 3', async () => {
      const run = await runCli(['flink', 'SHOW TABLES'], { ...env(), WORKSHOP_FLINK_SQL_GATEWAY_URL: 'none' });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(
        'Error: Flink SQL Gateway is not part of this platform (WORKSHOP_FLINK_SQL_GATEWAY_URL=none)',
      );
    });
  });
});
