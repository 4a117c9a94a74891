import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, variables } from './config.js';
import { ConfigError, ExitCode } from './errors.js';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('says a platform runs no ksqlDB or no Schema Registry with "none", and refuses anything else that is no URL', () => {
    const config = loadConfig({ WORKSHOP_KSQLDB_URL: 'none', WORKSHOP_SCHEMA_REGISTRY_URL: 'None' });
    expect(config.absent).toEqual(['ksqlDB', 'Schema Registry']);
    expect(loadConfig({ WORKSHOP_KSQLDB_URL: 'none' }).absent).toEqual(['ksqlDB']);
    expect(() => loadConfig({ WORKSHOP_KSQLDB_URL: 'nothing' })).toThrow(/WORKSHOP_KSQLDB_URL="nothing" is not a URL/);
    // Only the optional services can be absent: Kafka Connect is part of every platform.
    expect(() => loadConfig({ WORKSHOP_CONNECT_URL: 'none' })).toThrow(/WORKSHOP_CONNECT_URL="none" is not a URL/);
  });

  it('defaults to the compose stack on 127.0.0.1', () => {
    expect(loadConfig({})).toEqual({
      absent: [],
      kafkaBootstrapServers: ['127.0.0.1:9092'],
      connectUrl: 'http://127.0.0.1:8083',
      ksqldbUrl: 'http://127.0.0.1:8088',
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      flinkUrl: 'http://127.0.0.1:8082',
      flinkSqlGatewayUrl: 'http://127.0.0.1:8084',
      flinkKafkaBootstrapServers: 'kafka:29092',
      mysql: {
        host: '127.0.0.1',
        port: 3306,
        user: 'workshop',
        password: 'workshop',
        database: 'demo',
        flavour: 'mysql',
      },
      elasticsearchUrl: 'http://127.0.0.1:9200',
      kibanaUrl: 'http://127.0.0.1:5601',
      fromConnect: {
        mysqlHost: 'mysql',
        mysqlPort: 3306,
        kafkaBootstrapServers: 'kafka:29092',
        elasticsearchUrl: 'http://elasticsearch:9200',
        schemaRegistryUrl: 'http://schema-registry:8081',
      },
    });
  });

  it('takes every override', () => {
    const config = loadConfig({
      WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: 'broker-1:19092, broker-2:29092',
      WORKSHOP_CONNECT_URL: 'https://connect.example:8443/',
      WORKSHOP_KSQLDB_URL: 'http://ksqldb:8088',
      WORKSHOP_SCHEMA_REGISTRY_URL: 'http://sr:8081',
      WORKSHOP_MYSQL_HOST: 'db.local',
      WORKSHOP_MYSQL_PORT: '13306',
      WORKSHOP_MYSQL_USER: 'me',
      WORKSHOP_MYSQL_PASSWORD: '',
      WORKSHOP_MYSQL_DATABASE: 'shop',
      WORKSHOP_DATABASE_FLAVOUR: 'mariadb',
      WORKSHOP_ELASTICSEARCH_URL: 'http://[::1]:9200',
      WORKSHOP_KIBANA_URL: 'http://kibana:5601',
    });
    expect(config.kafkaBootstrapServers).toEqual(['broker-1:19092', 'broker-2:29092']);
    expect(config.connectUrl).toBe('https://connect.example:8443');
    expect(config.ksqldbUrl).toBe('http://ksqldb:8088');
    expect(config.schemaRegistryUrl).toBe('http://sr:8081');
    expect(config.mysql).toEqual({
      host: 'db.local',
      port: 13306,
      user: 'me',
      // An empty value means "use the default", as for every variable.
      password: 'workshop',
      database: 'shop',
      flavour: 'mariadb',
    });
    expect(config.elasticsearchUrl).toBe('http://[::1]:9200');
    expect(config.kibanaUrl).toBe('http://kibana:5601');
  });

  it.each([
    [
      'WORKSHOP_CONNECT_URL',
      'localhost:8083',
      'WORKSHOP_CONNECT_URL="localhost:8083" has scheme "localhost:"; use http:// or https://, for example http://localhost:8083.',
    ],
    [
      'WORKSHOP_KSQLDB_URL',
      '127.0.0.1:8088',
      'WORKSHOP_KSQLDB_URL="127.0.0.1:8088" is not a URL; write it with its scheme, for example http://127.0.0.1:8088.',
    ],
    [
      'WORKSHOP_ELASTICSEARCH_URL',
      'ftp://es:9200',
      'WORKSHOP_ELASTICSEARCH_URL="ftp://es:9200" has scheme "ftp:"; use http:// or https://',
    ],
    [
      'WORKSHOP_MYSQL_PORT',
      'three-three-oh-six',
      'WORKSHOP_MYSQL_PORT="three-three-oh-six" is not a port number; use a whole number from 1 to 65535.',
    ],
    ['WORKSHOP_MYSQL_PORT', '70000', 'WORKSHOP_MYSQL_PORT="70000" is not a port number'],
    [
      'WORKSHOP_KAFKA_BOOTSTRAP_SERVERS',
      'PLAINTEXT://127.0.0.1:9092',
      'WORKSHOP_KAFKA_BOOTSTRAP_SERVERS="PLAINTEXT://127.0.0.1:9092" has "PLAINTEXT://127.0.0.1:9092"; Kafka bootstrap servers are host:port without a scheme.',
    ],
    [
      'WORKSHOP_KAFKA_BOOTSTRAP_SERVERS',
      '127.0.0.1',
      'has "127.0.0.1", which is not host:port; write it like 127.0.0.1:9092',
    ],
    ['WORKSHOP_KAFKA_BOOTSTRAP_SERVERS', '127.0.0.1:port', 'which is not host:port'],
    ['WORKSHOP_KAFKA_BOOTSTRAP_SERVERS', ' , ', 'is empty; give at least one host:port'],
    ['WORKSHOP_MYSQL_HOST', 'db:3306', 'WORKSHOP_MYSQL_HOST="db:3306" is not a host name or address'],
    ['WORKSHOP_MYSQL_USER', '   ', 'WORKSHOP_MYSQL_USER="   " is empty.'],
    ['WORKSHOP_DATABASE_FLAVOUR', 'postgres', 'WORKSHOP_DATABASE_FLAVOUR="postgres" must be mysql or mariadb.'],
  ])('refuses %s=%j, naming the variable', (name, value, message) => {
    const error = refusal({ [name]: value });
    expect(error.message).toContain(message);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.hint).toContain('README');
  });

  it('reports every malformed variable at once', () => {
    const error = refusal({ WORKSHOP_MYSQL_PORT: 'x', WORKSHOP_KIBANA_URL: 'kibana', WORKSHOP_CONNECT_URL: 'c:1' });
    expect(error.message).toMatch(/^3 WORKSHOP_\* variables are malformed:/);
    for (const name of ['WORKSHOP_MYSQL_PORT', 'WORKSHOP_KIBANA_URL', 'WORKSHOP_CONNECT_URL']) {
      expect(error.message).toContain(`  - ${name}=`);
    }
  });

  it('never repeats a malformed password in its message', () => {
    const parse = variables.mysqlPassword.parse;
    expect(parse('s3cret')).toBe('s3cret');
    // The password accepts any text; its secrecy flag hides it if a future rule refuses one.
    expect(variables.mysqlPassword.secret).toBe(true);
  });

  it('takes a webhook URL, and refuses a malformed one without repeating any of it', () => {
    expect(loadConfig({}).slackWebhookUrl).toBeUndefined();
    expect(loadConfig({ WORKSHOP_SLACK_WEBHOOK_URL: 'https://hooks.example.com/services/T/B/x' }).slackWebhookUrl).toBe(
      'https://hooks.example.com/services/T/B/x',
    );
    for (const value of [
      'hooks.example.com/services/T/B/s3cr3t',
      'ftp://hooks.example.com/services/T/B/s3cr3t',
      'https://user:pw@hooks.example.com/services/T/B/s3cr3t',
    ]) {
      const error = refusal({ WORKSHOP_SLACK_WEBHOOK_URL: value });
      expect(error.message).toContain('WORKSHOP_SLACK_WEBHOOK_URL=(hidden)');
      expect(error.message).not.toContain('s3cr3t');
      expect(error.message).not.toContain('hooks.example.com');
    }
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it.each(Object.values(variables).map((v) => [v.name, v.default] as const))(
    'lists %s with its default %j',
    (name, defaultValue) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, `no table row for ${name}`).toBeDefined();
      expect(row).toContain(defaultValue === '' ? '| (unset) |' : `\`${defaultValue}\``);
    },
  );
});
