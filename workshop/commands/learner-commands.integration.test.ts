/**
 * `npm run mysql` and `npm run topic` on the local stack: what the guides show them doing, and each way a person can
 * get them wrong (a bad statement, an unknown topic, a service that is not there), with its message and exit code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kafkaClient } from '#core/kafka-client.js';
import { NotYet, waitFor } from '#core/wait.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { loadCustomers } from '#workshop/dev/testing/fixtures.js';
import { everythingDownEnv, runCli, startCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

describeWithStack('the learner’s commands: npm run mysql and npm run topic', (stack) => {
  const env = () => workshopEnv(stack());

  describe('npm run mysql', () => {
    beforeAll(async () => {
      await loadCustomers(stack());
    });

    it('prints a query’s rows as a table with their count', async () => {
      const run = await runCli(['mysql', 'SELECT id, club_status FROM CUSTOMERS WHERE id <= 2 ORDER BY id'], env());
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^id {2}club_status\n-- {2}-+\n1 {3}\w+ *\n2 {3}\w+ *\n\(2 rows\)\n$/);
    });

    it('says when an UPDATE matches a row and changes nothing: the case that leaves a CDC demo waiting', async () => {
      const set = ['mysql', "UPDATE CUSTOMERS SET comments = 'Walkthrough' WHERE id = 20"];
      const first = await runCli(set, env());
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^1 row\(s\) matched, [01] changed/);
      const second = await runCli(set, env());
      expect(second.stdout).toBe(
        '1 row(s) matched, 0 changed: the rows already hold these values, so MySQL logs no change and Debezium sends nothing\n',
      );
    });

    it('runs a file that begins with a comment, each statement headed', async () => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'mysql-file-'));
      writeFileSync(path.join(folder, 'two.sql'), '-- two statements\nSELECT 1 AS one;\nSELECT 2 AS two;\n');
      // A relative path is the folder the learner typed it in (npm's INIT_CWD).
      const run = await runCli(['mysql', '-f', 'two.sql'], { ...env(), INIT_CWD: folder });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('\n> SELECT 1 AS one\none\n---\n1\n(1 row)\n\n> SELECT 2 AS two\ntwo\n---\n2\n(1 row)\n');
    });

    it('refuses a bad statement with MySQL’s own words, exit 1', async () => {
      const run = await runCli(['mysql', 'SELEC id FROM CUSTOMERS'], env());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: MySQL (database demo) refused "SELEC id FROM CUSTOMERS": ER_PARSE_ERROR: ');
      expect(run.stderr).toContain('→ fix the statement and run it again');
    });

    it('says MySQL is not reachable, exit 3', async () => {
      const run = await runCli(['mysql', 'SELECT 1'], { ...env(), ...(await everythingDownEnv()) });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/Error: MySQL at 127\.0\.0\.1:\d+ is not reachable/);
    });

    it('without SQL, says how to give it, exit 2', async () => {
      const run = await runCli(['mysql'], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('give the SQL in quotes or a file with -f, one of the two');
    });
  });

  describe('npm run topic', () => {
    const topic = `walk-topic-${Date.now()}`;
    beforeAll(async () => {
      const kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [1, 2, 3].map((n) => ({ key: String(n), value: JSON.stringify({ n }) })),
      });
      // A group that has read two of the three records: its lag is one.
      const admin = kafka.admin();
      await admin.connect();
      await admin.setOffsets({ groupId: `${topic}-group`, topic, partitions: [{ partition: 0, offset: '2' }] });
      await admin.disconnect();
      await producer.disconnect();
    });

    it('prints the records with partition, offset, timestamp, key and value', async () => {
      const run = await runCli(['topic', topic, '--from-beginning', '--max', '2'], env());
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`topic "${topic}": 1 partition(s), 3 record(s) kept (partition 0: offsets 0..2)`);
      expect(lines[1]).toMatch(/^partition {2}offset {2}timestamp {16}key {2}value$/);
      expect(lines.slice(3)).toEqual([
        expect.stringMatching(/^0 {10}0 {7}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} {2}1 {4}\{"n":1\}$/),
        expect.stringMatching(/^0 {10}1 {7}\S+ \S+ {2}2 {4}\{"n":2\}$/),
      ]);
      const newest = await runCli(['topic', topic, '--max', '1'], env());
      expect(newest.stdout).toMatch(/\n0 {10}2 {7}\S+ \S+ {2}3 {4}\{"n":3\}\n$/);
    });

    it('waits a little for the first record of an empty topic (a connector’s snapshot on its way)', async () => {
      const empty = `${topic}-empty`;
      const kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: empty }], waitForLeaders: true });
      await admin.disconnect();
      const listing = startCli(['topic', empty, '--max', '1'], env(), 60_000);
      await waitFor({
        what: 'topic to say it waits',
        timeoutMs: 20_000,
        intervalMs: 200,
        probe: async () =>
          listing.stderr().includes('is empty: waiting up to 10 s') ? true : new NotYet(listing.stderr()),
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: empty, messages: [{ key: '1', value: '{"first":true}' }] });
      await producer.disconnect();
      const done = await listing.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain(`topic "${empty}": 1 partition(s), 1 record(s) kept`);
      expect(done.stdout).toContain('{"first":true}');
    });

    it('shows a consumer group’s committed offset and lag', async () => {
      const run = await runCli(['topic', topic, '--group', `${topic}-group`], env());
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`consumer group "${topic}-group" on topic "${topic}": Empty, 0 member(s)`);
      expect(run.stdout).toMatch(/\n0 {10}2 {17}3 {11}1\n/);
      expect(run.stdout).toContain('lag: 1 record(s) written and not yet read by the group');
    });

    it('--follow prints a record written after it started, and stops at Ctrl-C', async () => {
      const following = startCli(['topic', topic, '--max', '1', '--follow'], env(), 120_000);
      try {
        await waitFor({
          what: 'topic --follow to start following',
          timeoutMs: 30_000,
          giveUpIf: () => (following.exited() ? `it exited:\n${following.stdout()}` : undefined),
          probe: async () => (following.stdout().includes('(following:') ? true : new NotYet(following.stdout())),
        });
        const kafka = kafkaClient({ brokers: stack().kafka.bootstrapServers, connectionTimeout: 3_000 });
        const producer = kafka.producer();
        await producer.connect();
        // Sent until it shows: the follower's consumer joins its group a moment after it says it follows.
        await waitFor({
          what: 'the new record to be printed',
          timeoutMs: 60_000,
          intervalMs: 1_000,
          probe: async () => {
            if (/\s9 +\{"n":9\}\n/.test(following.stdout())) return true;
            if (!following.stdout().includes('{"n":9}')) {
              await producer.send({ topic, messages: [{ key: '9', value: JSON.stringify({ n: 9 }) }] });
            }
            return new NotYet(following.stdout());
          },
        });
        await producer.disconnect();
      } finally {
        following.kill('SIGINT');
      }
      const run = await following.done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
    });

    it('names the topics there are when the name is unknown, exit 1', async () => {
      const run = await runCli(['topic', topic.toUpperCase()], env());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `Error: no topic "${topic.toUpperCase()}" in Kafka (names are case-sensitive); topics: `,
      );
      expect(run.stderr).toContain(topic);
    });

    it('says Kafka is not reachable, exit 3', async () => {
      const run = await runCli(['topic', 'ratings'], { ...env(), ...(await everythingDownEnv()) });
      expect(run.code, run.stdout + run.stderr).toBe(3);
      expect(run.stderr).toMatch(/Kafka/);
    });

    it('refuses a bad --max, exit 2', async () => {
      const run = await runCli(['topic', topic, '--max', 'lots'], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--max');
    });
  });
});
