import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { headlessFileShown, headlessServiceId } from '#checks/clients/headless.js';
import { loadConfig, variables } from '#core/config.js';
import { headlessProperties } from '#workshop/commands/headless.js';
import { stackVersions } from '#workshop/dev/stack/artifacts.js';
import { flinkVersions } from '#workshop/dev/stack/flink.js';
import { ksqlDbProperties } from '#workshop/dev/stack/ksqldb.js';
import { connectorSecretVariables } from '#workshop/dev/stack/local-stack.js';
import { connectorGrants } from '#workshop/dev/stack/mariadb.js';
import {
  type ComposeService,
  findService,
  formatGiBAtLeast,
  memoryNeeds,
  parseMemory,
  parsePortSpec,
  readComposeFile,
  readDockerfile,
  repoRoot,
  requiredImages,
  totalMemoryLimitBytes,
  withProfiles,
} from './compose-file.js';
import { serviceGuides } from './services.js';

const compose = readComposeFile();
const service = (name: string): ComposeService => {
  const found = findService(compose, name);
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const versions = stackVersions();
const connect = service('kafka-connect');
const dockerfile = readDockerfile(path.join(connect.buildContext ?? '', 'Dockerfile'));
const initDir = path.join(repoRoot, 'docker/mysql/initdb');
const schemaSql = readFileSync(path.join(initDir, '10-schema-and-users.sql'), 'utf8');
const customersSql = readFileSync(path.join(initDir, '20-customers.sql'), 'utf8');

/** The port a WORKSHOP_* variable's default points at. */
function defaultPort(key: keyof typeof variables): number {
  const value = variables[key].default;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^[\w.-]+:\d+$/.test(value)) return Number(value.split(':')[1]);
  return Number(new URL(value).port);
}

describe('docker-compose.yml', () => {
  it('parses, names its project and has the platform’s services', () => {
    expect(compose.projectName).toBe('streaming-workshop');
    expect(compose.services.map((s) => s.name)).toEqual([
      'kafka',
      'schema-registry',
      'kafka-connect',
      'ksqldb-server',
      'ksqldb-cli',
      'mysql',
      'elasticsearch',
      'kibana',
    ]);
  });

  it('pins every image, and every base image of the Connect build, to an exact version (no latest)', () => {
    const images = [...compose.services.map((s) => s.image), ...dockerfile.baseImages];
    for (const image of images) {
      expect(image, image).not.toMatch(/:latest$|^[^:]+$/);
      expect(image, `${image} names an exact version`).toMatch(/:(cp)?\d+\.\d+\.\d+/);
    }
    // A "# syntax=" line would fetch a build frontend image by a moving tag: the engine's own frontend builds it.
    expect(readFileSync(dockerfile.path, 'utf8')).not.toMatch(/^#\s*syntax=/im);
    expect(dockerfile.baseImages).toEqual([
      'maven:3.9.9-eclipse-temurin-17',
      'alpine:3.22.2',
      `confluentinc/cp-kafka-connect:${versions.confluentPlatform}`,
    ]);
  });

  it('uses the Confluent Platform release whose Kafka is the local test stack’s, and its Elasticsearch', () => {
    // Which Apache Kafka line each Confluent Platform line is built on, from Confluent's release notes. A bump to a
    // line not listed fails here until its pair is added, after reading the notes.
    const kafkaOfConfluentPlatform: Record<string, string> = { '8.0': '4.0', '8.1': '4.1' };
    const line = (version: string) => version.split('.').slice(0, 2).join('.');
    expect(
      kafkaOfConfluentPlatform[line(versions.confluentPlatform)],
      `Confluent Platform ${versions.confluentPlatform} is in the table above`,
    ).toBe(line(versions.kafka));
    for (const s of compose.services.filter((s) => s.image.startsWith('confluentinc/'))) {
      expect(s.image, s.name).toMatch(
        new RegExp(`^confluentinc/cp-[a-z-]+:${versions.confluentPlatform.replace(/\./g, '\\.')}$`),
      );
    }
    expect(service('kafka').image).toBe(`confluentinc/cp-kafka:${versions.confluentPlatform}`);
    expect(service('ksqldb-server').image).toBe(`confluentinc/cp-ksqldb-server:${versions.confluentPlatform}`);
    // Confluent publishes no cp-ksqldb-cli image from 8.1 on: the server's image carries the CLI.
    expect(service('ksqldb-cli').image).toBe(service('ksqldb-server').image);
    expect(service('elasticsearch').image).toBe(
      `docker.elastic.co/elasticsearch/elasticsearch:${versions.elasticsearch}`,
    );
    expect(service('kibana').image).toBe(`docker.elastic.co/kibana/kibana:${versions.elasticsearch}`);
    expect(service('mysql').image).toMatch(/^mysql:8\.4\.\d+$/);
  });

  it('builds Kafka Connect with the local stack’s Debezium and names every version in the image tag', () => {
    expect(dockerfile.args.CONFLUENT_PLATFORM_VERSION).toBe(versions.confluentPlatform);
    expect(dockerfile.args.DEBEZIUM_VERSION).toBe(versions.debezium);
    expect(dockerfile.args.ELASTICSEARCH_SINK_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(connect.image).toBe(
      // -jdbc: the image with Debezium's JDBC sink (step 14), so a machine with the image built before is rebuilt.
      `streaming-workshop/kafka-connect:cp${versions.confluentPlatform}-debezium${versions.debezium}-elasticsearch${dockerfile.args.ELASTICSEARCH_SINK_VERSION}-jdbc`,
    );
  });

  it('installs the connector plugins when the image is built, not when the container starts', () => {
    const text = readFileSync(dockerfile.path, 'utf8');
    // Debezium through Maven with strict checksums, from the pom beside the Dockerfile.
    expect(text).toMatch(/mvn .*-C .*-Ddebezium\.version=\$\{DEBEZIUM_VERSION\}/);
    const pom = readFileSync(path.join(path.dirname(dockerfile.path), 'pom.xml'), 'utf8');
    expect(pom).toContain('<artifactId>debezium-connector-mysql</artifactId>');
    expect(pom).toContain('<classifier>plugin</classifier>');
    expect(text).toContain('kafka-connect-elasticsearch');
    expect(text).toMatch(/COPY --from=plugins .* \/usr\/share\/confluent-hub-components\//);
    const raw = compose.raw.services as Record<string, Record<string, unknown>>;
    for (const [name, spec] of Object.entries(raw)) {
      const startup = JSON.stringify([spec.command ?? '', spec.entrypoint ?? '']);
      expect(startup, `${name} downloads nothing at start`).not.toMatch(/confluent-hub|curl|wget|install/);
    }
    expect(connect.environment.CONNECT_PLUGIN_PATH).toContain('/usr/share/confluent-hub-components');
  });

  it('gives the plugins their manifests when the image is built, so the worker loads them without a scan', () => {
    const text = readFileSync(path.join(connect.buildContext ?? '', 'Dockerfile'), 'utf8');
    expect(connect.environment.CONNECT_PLUGIN_DISCOVERY).toBe('service_load');
    expect(text).toMatch(
      /RUN kafka-run-class org\.apache\.kafka\.tools\.ConnectPluginPath sync-manifests --plugin-path \/usr\/share\/confluent-hub-components/,
    );
    // No awk in the image: the listing is checked by a bash script copied in.
    expect(text).not.toMatch(/\bawk\b/);
    expect(text).toContain('| bash /usr/local/share/workshop/check-plugins.sh');
    // The build fails unless Kafka's tool lists both connectors the course uses with their manifests.
    expect(text).toContain('io.debezium.connector.mysql.MySqlConnector');
    expect(text).toContain('io.confluent.connect.elasticsearch.ElasticsearchSinkConnector');
  });

  it('names each image once for preflight and prefetch, with every service that runs it', () => {
    const images = requiredImages(compose);
    expect(images.map((i) => i.image)).toEqual([...new Set(compose.services.map((s) => s.image))]);
    expect(images.find((i) => i.image === service('ksqldb-server').image)?.services).toEqual([
      'ksqldb-server',
      'ksqldb-cli',
    ]);
    expect(images.filter((i) => i.built).map((i) => i.services)).toEqual([['kafka-connect']]);
    // One tag both built here and downloaded cannot be prefetched: refused, naming both services.
    const clash = {
      ...compose,
      services: [
        { ...service('kafka-connect') },
        { ...service('kafka'), name: 'connect-copy', image: service('kafka-connect').image },
      ],
    };
    expect(() => requiredImages(clash)).toThrow(
      `services "kafka-connect" and "connect-copy" name the same image ${service('kafka-connect').image}, but only one builds it`,
    );
  });

  it('gives every service a healthcheck, and starts a service only once what it needs is healthy', () => {
    for (const s of compose.services) {
      expect(s.hasHealthcheck, `${s.name} has a healthcheck`).toBe(true);
      for (const dependency of s.dependsOn) {
        expect(dependency.condition, `${s.name} → ${dependency.service}`).toBe('service_healthy');
        expect(findService(compose, dependency.service), dependency.service).toBeDefined();
      }
    }
    expect(service('kafka-connect').dependsOn.map((d) => d.service)).toEqual(['kafka']);
    expect(service('kibana').dependsOn.map((d) => d.service)).toEqual(['elasticsearch']);
  });

  it('calls Kibana healthy on its overall status, not on any one plugin that is available', () => {
    const raw = parseYaml(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { healthcheck: { test: string[] } }>;
    };
    const command = raw.services.kibana?.healthcheck.test.at(-1) ?? '';
    // The healthcheck's own filter, fed the /api/status answers of a Kibana starting up and of one that is ready.
    const filter = command.slice(command.indexOf('|') + 1).trim();
    expect(filter).toMatch(/^grep /);
    const healthy = (answer: unknown) =>
      spawnSync('bash', ['-c', filter], { input: JSON.stringify(answer) }).status === 0;
    const plugin = { level: 'available', summary: 'Ready' };
    const status = (level: string) => ({
      name: 'kibana',
      status: { overall: { level, summary: `${level}` }, core: { elasticsearch: plugin }, plugins: { data: plugin } },
    });
    expect(healthy(status('degraded'))).toBe(false);
    expect(healthy(status('unavailable'))).toBe(false);
    expect(healthy(status('available'))).toBe(true);
  });

  it('gives the ksqlDB CLI container an init, so it stops at once', () => {
    const raw = parseYaml(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { init?: boolean; entrypoint?: string }>;
    };
    expect(raw.services['ksqldb-cli']?.entrypoint).toBe('/bin/sh');
    expect(raw.services['ksqldb-cli']?.init).toBe(true);
  });

  it('binds every published port to 127.0.0.1 only', () => {
    const published = compose.services.flatMap((s) => s.ports);
    expect(published.length).toBeGreaterThanOrEqual(7);
    for (const port of published) expect(port.hostIp, port.spec).toBe('127.0.0.1');
  });

  it('publishes unique host ports equal to the defaults of the kit’s WORKSHOP_* variables', () => {
    // In a Flink room too, whose services come with the profile "flink".
    const flinkRoom = withProfiles(compose, ['flink']);
    const hostPorts = flinkRoom.services.flatMap((s) => s.ports.map((p) => p.hostPort));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(Object.keys(serviceGuides).sort()).toEqual(flinkRoom.services.map((s) => s.name).sort());
    for (const s of flinkRoom.services) {
      const guide = serviceGuides[s.name];
      if (!guide?.variable) {
        expect(s.ports, `${s.name} publishes nothing`).toEqual([]);
        continue;
      }
      expect(
        s.ports.map((p) => p.hostPort),
        `${s.name} ↔ ${variables[guide.variable].name}`,
      ).toEqual([defaultPort(guide.variable)]);
    }
    // Kafka tells clients on the laptop to come back to the address the kit uses by default.
    expect(service('kafka').environment.KAFKA_ADVERTISED_LISTENERS).toContain(
      `EXTERNAL://${variables.kafkaBootstrapServers.default}`,
    );
  });

  it('answers, inside its network, where connector configs look for MySQL and Kafka (WORKSHOP_CONNECT_*)', () => {
    expect(findService(compose, variables.connectMysqlHost.default), 'a service named as the MySQL host').toBeDefined();
    expect(service('mysql').ports.map((p) => p.containerPort)).toContain(Number(variables.connectMysqlPort.default));
    expect(service('kafka').environment.KAFKA_ADVERTISED_LISTENERS).toContain(
      `INTERNAL://${variables.connectKafkaBootstrapServers.default}`,
    );
    expect(connect.environment.CONNECT_BOOTSTRAP_SERVERS).toBe(variables.connectKafkaBootstrapServers.default);
  });

  it('is described by the README: every image, and the sum of the limits', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The platform'), readme.indexOf('## Benchmarks'));
    for (const s of compose.services) {
      const image = s.buildContext ? `cp-kafka-connect:${versions.confluentPlatform}` : s.image;
      expect(section, `README names ${image}`).toContain(image);
    }
    expect(section).toContain(`Debezium MySQL ${versions.debezium}`);
    expect(section).toContain(`Elasticsearch sink ${dockerfile.args.ELASTICSEARCH_SINK_VERSION}`);
    expect(section).toContain(`the limits add up to ${(totalMemoryLimitBytes(compose) / 1024 ** 3).toFixed(1)} GB`);
    // The thresholds preflight applies, as the README's prerequisites give them.
    const { minimumBytes, recommendedBytes } = memoryNeeds(compose);
    const prerequisites = readme.slice(readme.indexOf('## Prerequisites'), readme.indexOf('## Run the workshop'));
    expect(prerequisites.replace(/\s+/g, ' ')).toContain(
      `\`npm run preflight\` refuses less than ${formatGiBAtLeast(minimumBytes)} and warns below ${formatGiBAtLeast(recommendedBytes)}`,
    );
    const advised = Number(/set Docker Desktop to (\d+) GB/.exec(prerequisites)?.[1]);
    expect(advised * 1024 ** 3, 'the advised setting clears the warning').toBeGreaterThanOrEqual(recommendedBytes);
  });

  it('keeps the sum of the memory limits within 6 GB, every JVM heap within its container’s limit', () => {
    for (const s of compose.services) {
      expect(s.memoryLimitBytes, `${s.name} has a memory limit`).toBeGreaterThan(0);
      const heap = Object.values(s.environment)
        .map((value) => /-Xmx(\d+)m/.exec(value)?.[1] ?? /--max-old-space-size=(\d+)/.exec(value)?.[1])
        .find((mb) => mb !== undefined);
      if (heap) expect(Number(heap) * 1024 ** 2, `${s.name} heap`).toBeLessThanOrEqual((s.memoryLimitBytes ?? 0) * 0.6);
    }
    for (const name of ['kafka', 'schema-registry', 'kafka-connect', 'ksqldb-server', 'elasticsearch', 'kibana']) {
      expect(Object.values(service(name).environment).join(' '), `${name} sets its heap`).toMatch(
        /-Xmx\d+m|--max-old-space-size=\d+/,
      );
    }
    expect(totalMemoryLimitBytes(compose)).toBeLessThanOrEqual(6 * 1024 ** 3);
    expect(memoryNeeds(compose).minimumBytes).toBeLessThan(memoryNeeds(compose).recommendedBytes);
  });

  it('keeps data in named volumes and uses no fixed container names', () => {
    expect(compose.namedVolumes.sort()).toEqual(['elasticsearch-data', 'kafka-data', 'kibana-data', 'mysql-data']);
    for (const s of compose.services) for (const volume of s.volumes) expect(compose.namedVolumes).toContain(volume);
    const raw = compose.raw.services as Record<string, Record<string, unknown>>;
    for (const [name, spec] of Object.entries(raw)) expect(spec.container_name, name).toBeUndefined();
  });

  it('gives Connect the config providers and the Debezium credentials connector configs refer to', () => {
    const env = connect.environment;
    expect(env.CONNECT_CONFIG_PROVIDERS).toBe('file,env');
    expect(env.CONNECT_CONFIG_PROVIDERS_FILE_CLASS).toBe('org.apache.kafka.common.config.provider.FileConfigProvider');
    expect(env.CONNECT_CONFIG_PROVIDERS_ENV_CLASS).toBe('org.apache.kafka.common.config.provider.EnvVarConfigProvider');
    expect(env[connectorSecretVariables.user]).toBe('debezium');
    expect(env[connectorSecretVariables.password]).toBe('dbz');
    expect(schemaSql).toContain(`CREATE USER 'debezium'@'%' IDENTIFIED BY 'dbz';`);
  });

  it('points ksqlDB at Kafka Connect and the Schema Registry, with a processing log', () => {
    const env = service('ksqldb-server').environment;
    expect(env.KSQL_KSQL_CONNECT_URL).toBe('http://kafka-connect:8083');
    expect(env.KSQL_KSQL_SCHEMA_REGISTRY_URL).toBe('http://schema-registry:8081');
    expect(env.KSQL_KSQL_LOGGING_PROCESSING_TOPIC_AUTO_CREATE).toBe('true');
    expect(env.KSQL_KSQL_LOGGING_PROCESSING_STREAM_AUTO_CREATE).toBe('true');
    // Without a broker list the image's log4j2 template sends the processing log nowhere but the console.
    expect(env.KSQL_LOG4J_PROCESSING_LOG_BROKERLIST).toBe(env.KSQL_BOOTSTRAP_SERVERS);
    expect(env.KSQL_LOG4J_PROCESSING_LOG_TOPIC).toBe('default_ksql_processing_log');
    expect(env.KSQL_BOOTSTRAP_SERVERS).toBe('kafka:29092');
    // The local stack's ksqlDB runs with the same setting (workshop/dev/stack/ksqldb.ts).
    expect(env.KSQL_KSQL_STREAMS_NUM_STREAM_THREADS).toBe('1');
    expect(ksqlDbProperties({ port: 1, bootstrapServers: 'k:1', stateDir: '/s' })).toContain(
      `ksql.streams.num.stream.threads=${env.KSQL_KSQL_STREAMS_NUM_STREAM_THREADS}`,
    );
  });

  it('runs step 15’s headless ksqlDB only in its profile, on headless/queries.sql, as the local one runs', () => {
    expect(compose.profiled.filter((s) => s.profiles.includes('headless')).map((s) => [s.name, s.profiles])).toEqual([
      ['ksqldb-headless', ['headless']],
    ]);
    const headless = compose.profiled.find((s) => s.name === 'ksqldb-headless') as (typeof compose.profiled)[number];
    const interactive = service('ksqldb-server');
    expect(headless.image).toBe(interactive.image);
    // No REST listener in headless mode: nothing to publish.
    expect(headless.ports).toEqual([]);
    const raw = (compose.raw.services as Record<string, { volumes?: string[]; restart?: string }>)['ksqldb-headless'];
    const [source, target, mode] = (raw?.volumes?.[0] ?? '').split(':');
    expect([source, mode]).toEqual(['./headless', 'ro']);
    const env = headless.environment;
    expect(env.KSQL_KSQL_QUERIES_FILE).toBe(`${target}/${path.basename(headlessFileShown)}`);
    expect(path.dirname(headlessFileShown)).toBe(path.basename(source ?? ''));
    expect(env.KSQL_KSQL_SERVICE_ID).toBe(headlessServiceId);
    expect(env.KSQL_BOOTSTRAP_SERVERS).toBe(interactive.environment.KSQL_BOOTSTRAP_SERVERS);
    expect(raw?.restart).toBe('no');
    // The local stack's headless server runs with the same settings (workshop/commands/headless.ts).
    const local = headlessProperties(loadConfig({}), 1, '/s');
    expect(local).toContain(`ksql.service.id=${env.KSQL_KSQL_SERVICE_ID}`);
    expect(local).toContain(`ksql.streams.session.timeout.ms=${env.KSQL_KSQL_STREAMS_SESSION_TIMEOUT_MS}`);
    expect(local).toContain(`ksql.streams.num.stream.threads=${env.KSQL_KSQL_STREAMS_NUM_STREAM_THREADS}`);
    const heap = Number(/-Xmx(\d+)m/.exec(env.KSQL_HEAP_OPTS ?? '')?.[1]);
    expect(heap * 1024 ** 2).toBeLessThanOrEqual((headless.memoryLimitBytes ?? 0) * 0.6);
    // The README says what it costs beside the rest.
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(
      `\`ksqldb-headless\` (profile \`headless\`, limit ${headless.memoryLimitSpec?.replace('m', ' MB')}`,
    );
  });

  it('runs Elasticsearch as a single node without security, and without needing vm.max_map_count', () => {
    const env = service('elasticsearch').environment;
    expect(env['discovery.type']).toBe('single-node');
    expect(env['xpack.security.enabled']).toBe('false');
    expect(env['node.store.allow_mmap']).toBe('false');
    expect(service('kibana').environment.ELASTICSEARCH_HOSTS).toContain('http://elasticsearch:9200');
  });
});

describe('the MySQL service', () => {
  const mysql = service('mysql');
  const command = (compose.raw.services as Record<string, { command?: string[] }>).mysql?.command ?? [];

  it('writes a binary log in ROW format with full row images and a server id', () => {
    expect(command).toEqual(
      expect.arrayContaining([
        '--server-id=1',
        '--log-bin=mysql-bin',
        '--binlog-format=ROW',
        '--binlog-row-image=FULL',
      ]),
    );
  });

  it('loads the schema, the users and the seed from the repo, in that order, at first start', () => {
    const raw = (compose.raw.services as Record<string, { volumes?: string[] }>).mysql?.volumes ?? [];
    expect(raw).toContain('./docker/mysql/initdb:/docker-entrypoint-initdb.d:ro');
    expect(readdirSync(initDir).sort()).toEqual(['10-schema-and-users.sql', '20-customers.sql']);
    expect(mysql.volumes).toEqual(['mysql-data']);
  });

  it('creates the kit’s user, a Debezium user with exactly the connector’s grants and the warehouse’s user, with the default plugin', () => {
    expect(schemaSql).toContain(`CREATE USER 'workshop'@'%' IDENTIFIED BY 'workshop';`);
    expect(schemaSql).toContain(`GRANT ALL PRIVILEGES ON demo.* TO 'workshop'@'%';`);
    expect(schemaSql).toContain(`GRANT ${connectorGrants} ON *.* TO 'debezium'@'%';`);
    // Step 14's warehouse: its sink's own user, and the kit's user, on that database only.
    expect(schemaSql).toContain(`GRANT ALL PRIVILEGES ON warehouse.* TO 'warehouse'@'%';`);
    expect(schemaSql).toContain(`GRANT ALL PRIVILEGES ON warehouse.* TO 'workshop'@'%';`);
    expect(schemaSql.match(/^GRANT /gm)).toHaveLength(4);
    const statements = `${schemaSql}${customersSql}`.replace(/^--.*$/gm, '');
    expect(statements).not.toMatch(/mysql_native_password|IDENTIFIED WITH/i);
    expect(variables.mysqlUser.default).toBe('workshop');
    expect(variables.mysqlPassword.default).toBe('workshop');
    expect(variables.mysqlDatabase.default).toBe('demo');
  });

  it('creates CUSTOMERS with the talk’s columns, update_ts following every update', () => {
    // The table is defined once, by the generator that writes the seed file.
    expect(schemaSql).not.toMatch(/CREATE TABLE/i);
    for (const column of ['id', 'first_name', 'last_name', 'email', 'gender', 'club_status', 'comments', 'create_ts']) {
      expect(customersSql).toMatch(new RegExp(`^\\s+${column}\\s`, 'm'));
    }
    expect(customersSql).toMatch(/id\s+INT\s+NOT NULL PRIMARY KEY/);
    expect(customersSql).toMatch(/update_ts\s+TIMESTAMP .*ON UPDATE CURRENT_TIMESTAMP/);
  });

  it('seeds about twenty customers with ids 1.. and every club status, several of them platinum', () => {
    const rows = [...customersSql.matchAll(/^\s*\((\d+),\s*'[^']*',\s*'[^']*',\s*'([^']*)',\s*'[^']*',\s*'(\w+)'/gm)];
    const ids = rows.map((row) => Number(row[1]));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(ids.length).toBeGreaterThanOrEqual(15);
    const statuses = rows.map((row) => row[3]);
    expect(new Set(statuses)).toEqual(new Set(['bronze', 'silver', 'gold', 'platinum']));
    expect(statuses.filter((s) => s === 'platinum').length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row[2]).toMatch(/@example\.(com|org|net)$/);
  });
});

describe('reading compose values', () => {
  it('reads memory sizes the way Compose does', () => {
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2);
    expect(parseMemory('1g')).toBe(1024 ** 3);
    expect(parseMemory('1.5GB')).toBe(1.5 * 1024 ** 3);
    expect(parseMemory('65536')).toBe(65536);
    expect(() => parseMemory('lots', 'service "x"')).toThrow('service "x" has memory "lots", not like 512m or 1g');
  });

  it('reads published ports with and without a host address', () => {
    expect(parsePortSpec('127.0.0.1:9092:9092')).toMatchObject({
      hostIp: '127.0.0.1',
      hostPort: 9092,
      containerPort: 9092,
    });
    expect(parsePortSpec('8080:80')).toMatchObject({ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 });
    expect(parsePortSpec('5601')).toMatchObject({ hostIp: '0.0.0.0', hostPort: 5601 });
    expect(() => parsePortSpec('abc', 'service "kibana"')).toThrow('service "kibana" publishes "abc"');
  });
});

describe('a Flink room’s services (profile "flink")', () => {
  const flink = compose.profiled.filter((s) => s.profiles.includes('flink'));
  const pinned = flinkVersions();

  it('are the JobManager, the TaskManager and the SQL Gateway, left out of a ksqlDB room', () => {
    expect(flink.map((s) => s.name)).toEqual(['flink-jobmanager', 'flink-taskmanager', 'flink-sql-gateway']);
    expect(compose.services.map((s) => s.name)).not.toContain('flink-jobmanager');
    expect(withProfiles(compose, ['flink']).services.map((s) => s.name)).toContain('flink-sql-gateway');
    expect(withProfiles(compose, ['flink']).profiled.map((s) => s.name)).toEqual(['ksqldb-headless']);
  });

  it('run one image, Flink’s with the Kafka connector, tagged with the local stack’s versions', () => {
    const images = new Set(flink.map((s) => s.image));
    expect([...images]).toEqual([`streaming-workshop/flink:${pinned.flink}-kafka${pinned.kafkaConnector}`]);
    const built = flink.find((s) => s.buildContext !== undefined);
    const file = readFileSync(path.join(built?.buildContext ?? '', 'Dockerfile'), 'utf8');
    expect(file).toContain(`ARG FLINK_IMAGE=flink:${pinned.flink}-scala_2.12-java17`);
    expect(file).toContain(`ARG FLINK_KAFKA_CONNECTOR_VERSION=${pinned.kafkaConnector}`);
    const pom = readFileSync(path.join(built?.buildContext ?? '', 'pom.xml'), 'utf8');
    expect(pom).toContain(`<flink.kafka.connector.version>${pinned.kafkaConnector}</flink.kafka.connector.version>`);
  });

  it('reach Kafka where the Flink tables of the guides say (kafka:29092), and each has a healthcheck and a limit', () => {
    expect(service('kafka').environment.KAFKA_ADVERTISED_LISTENERS).toContain(
      `INTERNAL://${variables.flinkKafkaBootstrapServers.default}`,
    );
    for (const s of flink) {
      expect(s.hasHealthcheck, s.name).toBe(true);
      expect(s.memoryLimitBytes, s.name).toBeGreaterThan(0);
    }
  });
});
