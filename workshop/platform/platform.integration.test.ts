/**
 * The learners' platform end to end, under a real Docker engine: docker-compose.yml comes up with every service
 * healthy (testcontainers waits on each healthcheck), a topic can be created from the laptop, Connect lists both
 * plugins, MySQL holds the seed and the users, and then the kit's own `npm run up`, `status` and `down` drive the
 * same file. Where `docker info` fails the suite is reported as skipped with the reason in its title; with
 * WORKSHOP_TEST_DOCKER=required (the GitHub Actions workflow) that fails the run instead.
 *
 * It does not use the local stack of real servers: it is the Docker half of the kit's tests.
 */
import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import type { StartedDockerComposeEnvironment } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTimestampTemplate } from '#checks/clients/index-template.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { kafkaClient } from '#core/kafka-client.js';
import {
  composeUpTimeoutMs,
  dockerSkipReason,
  dockerTitle,
  startComposePlatform,
  stopComposePlatform,
} from '#workshop/dev/testing/docker-engine.js';
import { readComposeFile, repoRoot } from './compose-file.js';

const skipReason = dockerSkipReason;
const titled = dockerTitle;
const config = loadConfig({});
const compose = readComposeFile();
const minutes = (n: number) => n * 60_000;

describe.skipIf(skipReason !== undefined)(titled('the platform under Docker Compose (testcontainers)'), () => {
  let environment: StartedDockerComposeEnvironment | undefined;

  beforeAll(async () => {
    environment = await startComposePlatform();
  }, composeUpTimeoutMs);

  afterAll(async () => {
    await stopComposePlatform(environment);
  }, minutes(3));

  it('brings up every service, each healthy', () => {
    for (const service of compose.services) {
      expect(environment?.getContainer(`${service.name}-1`), service.name).toBeDefined();
    }
  });

  it('lets the laptop create a topic and see it, at the address the kit uses by default', async () => {
    const kafka = kafkaClient({ clientId: 'platform-test', brokers: config.kafkaBootstrapServers });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'platform-test', numPartitions: 1 }], waitForLeaders: true });
      expect(await admin.listTopics()).toContain('platform-test');
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  it('has Kafka Connect list the Debezium MySQL source, the Elasticsearch sink and the JDBC sink (step 14)', async () => {
    const response = await fetch(`${config.connectUrl}/connector-plugins`, { signal: AbortSignal.timeout(10_000) });
    const classes = ((await response.json()) as { class: string }[]).map((plugin) => plugin.class);
    expect(classes).toContain('io.debezium.connector.mysql.MySqlConnector');
    expect(classes).toContain('io.confluent.connect.elasticsearch.ElasticsearchSinkConnector');
    expect(classes).toContain('io.debezium.connector.jdbc.JdbcSinkConnector');
  });

  it('has MySQL seeded, the kit’s user able to change it and the Debezium user with its grants', async () => {
    const connection = await mysql.createConnection({
      host: config.mysql.host,
      port: config.mysql.port,
      user: config.mysql.user,
      password: config.mysql.password,
      database: config.mysql.database,
    });
    try {
      const [rows] = await connection.query('SELECT COUNT(*) AS n FROM CUSTOMERS WHERE club_status = ?', ['platinum']);
      expect((rows as { n: number }[])[0]?.n).toBeGreaterThanOrEqual(3);
      await connection.query("UPDATE CUSTOMERS SET comments = 'seen by the platform test' WHERE id = 1");
      const [binlog] = await connection.query("SHOW VARIABLES WHERE Variable_name IN ('binlog_format', 'log_bin')");
      expect(
        Object.fromEntries(
          (binlog as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
        ),
      ).toEqual({
        binlog_format: 'ROW',
        log_bin: 'ON',
      });
    } finally {
      await connection.end();
    }
    const debezium = await mysql.createConnection({
      host: config.mysql.host,
      port: config.mysql.port,
      user: 'debezium',
      password: 'dbz',
    });
    try {
      const [grants] = await debezium.query('SHOW GRANTS');
      expect(JSON.stringify(grants)).toContain(
        'SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.*',
      );
    } finally {
      await debezium.end();
    }
  });

  it('has ksqlDB running, and Elasticsearch accepting the index template', async () => {
    const info = (await (await fetch(`${config.ksqldbUrl}/info`, { signal: AbortSignal.timeout(10_000) })).json()) as {
      KsqlServerInfo: { serverStatus: string };
    };
    expect(info.KsqlServerInfo.serverStatus).toBe('RUNNING');
    await ensureTimestampTemplate(config.elasticsearchUrl);
    const status = (await (
      await fetch(`${config.kibanaUrl}/api/status`, { signal: AbortSignal.timeout(10_000) })
    ).json()) as {
      status: { overall: { level: string } };
    };
    expect(status.status.overall.level).toBe('available');
  });

  it('runs the ksqlDB CLI in its container against the server, as the guide tells learners to', async () => {
    const cli = environment?.getContainer('ksqldb-cli-1');
    const result = await cli?.exec(['ksql', 'http://ksqldb-server:8088', '--execute', 'SHOW TOPICS;']);
    expect(result?.exitCode, result?.output).toBe(0);
    expect(result?.output).toContain('Kafka Topic');
  }, 120_000);
});

describe.skipIf(skipReason !== undefined)(titled('npm run up, status and down on a real engine'), () => {
  function npm(...args: string[]) {
    const result = spawnSync('npm', ['run', '--silent', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: minutes(15),
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  afterAll(() => {
    npm('down', '--', '--volumes');
  }, minutes(3));

  it(
    'starts the platform with npm run up and reports every service healthy',
    () => {
      const up = npm('up');
      expect(up.code, up.stderr).toBe(ExitCode.ok);
      expect(up.stdout).toContain('Next:');
      const status = npm('status', '--', '--json');
      expect(status.code, status.stderr).toBe(ExitCode.ok);
      const views = JSON.parse(status.stdout) as { service: string; readiness: string }[];
      expect(views.map((v) => [v.service, v.readiness])).toEqual(compose.services.map((s) => [s.name, 'ready']));
    },
    minutes(15),
  );

  it(
    'stops it with npm run down -- --volumes',
    () => {
      const down = npm('down', '--', '--volumes');
      expect(down.code, down.stderr).toBe(ExitCode.ok);
      const status = npm('status');
      expect(status.stdout).toContain('The platform is not running');
    },
    minutes(5),
  );
});
