/**
 * The kit's configuration: WORKSHOP_* environment variables, each with a default that matches the learners'
 * docker-compose stack on this machine. The README's table lists the same variables; a test keeps the two in step.
 */
import { ConfigError } from './errors.js';

export type DatabaseFlavour = 'mysql' | 'mariadb';

/** The services a platform may do without: the local test stack runs them only where they are installed. */
export type OptionalService = 'ksqlDB' | 'Schema Registry' | 'Flink' | 'Flink SQL Gateway';

/** The value of a service's URL variable that says this platform runs no such service. */
export const absentValue = 'none';

export interface WorkshopConfig {
  /**
   * Services this platform does not run (their URL variable is "none"): a check that needs one says so (exit 3),
   * reset leaves their objects out, rehearse leaves out the steps that need them. On the learners' platform
   * every service is there, and one that is down is an environment error as any other.
   */
  absent: OptionalService[];
  kafkaBootstrapServers: string[];
  connectUrl: string;
  ksqldbUrl: string;
  schemaRegistryUrl: string;
  /** Apache Flink's JobManager REST API (the jobs and their states). */
  flinkUrl: string;
  /** Flink's SQL Gateway (REST), through which npm run flink runs statements. */
  flinkSqlGatewayUrl: string;
  /** Kafka as Flink's jobs reach it (inside the compose network, not from the laptop). */
  flinkKafkaBootstrapServers: string;
  mysql: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
    flavour: DatabaseFlavour;
  };
  elasticsearchUrl: string;
  kibanaUrl: string;
  /** Where npm run notify posts; undefined when not set (it prints instead). A secret: never printed. */
  slackWebhookUrl: string | undefined;
  /**
   * A ksqlDB install on this machine that `npm run headless` runs the headless server from (the local stack sets it);
   * undefined: it runs the compose service ksqldb-headless.
   */
  headlessKsqldbHome: string | undefined;
  /** The addresses Kafka Connect uses from where it runs (inside the compose network, not from the laptop). */
  fromConnect: {
    mysqlHost: string;
    mysqlPort: number;
    kafkaBootstrapServers: string;
    elasticsearchUrl: string;
    schemaRegistryUrl: string;
  };
}

type Parser<T> = (raw: string) => T;

interface Variable<T> {
  name: string;
  description: string;
  default: string;
  parse: Parser<T>;
  /** Hidden in printed configuration. */
  secret?: boolean;
}

/** Thrown by a parser; the caller adds the variable's name. */
class BadValue extends Error {}

const url: Parser<string> = (raw) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new BadValue(`is not a URL; write it with its scheme, for example http://${raw}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadValue(`has scheme "${parsed.protocol}"; use http:// or https://, for example http://${raw}`);
  }
  return raw.replace(/\/+$/, '');
};

/** A service's URL, or "none" where the platform runs no such service. */
const urlOrNone: Parser<string> = (raw) => (raw.trim().toLowerCase() === absentValue ? absentValue : url(raw));

/** A URL that is a secret: what is wrong with it is said without repeating any of it. */
const secretUrl: Parser<string | undefined> = (raw) => {
  if (raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new BadValue('is not a URL; copy the whole webhook URL, starting with https://');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadValue('does not start with https:// (or http://); copy the whole webhook URL');
  }
  if (parsed.username || parsed.password) {
    throw new BadValue('has a user name or password in it, which a webhook URL does not; copy the URL Slack gives');
  }
  return raw;
};

const port: Parser<number> = (raw) => {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new BadValue('is not a port number; use a whole number from 1 to 65535');
  }
  return Number(raw);
};

const hostPort = (raw: string): string => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d+)$/.exec(raw);
  if (!match) {
    throw new BadValue(`has "${raw}", which is not host:port; write it like 127.0.0.1:9092`);
  }
  port(match[2] as string);
  return raw;
};

const brokerList: Parser<string[]> = (raw) => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new BadValue('is empty; give at least one host:port, like 127.0.0.1:9092');
  return entries.map((entry) => {
    if (/^[a-z]+:\/\//i.test(entry)) {
      throw new BadValue(`has "${entry}"; Kafka bootstrap servers are host:port without a scheme`);
    }
    return hostPort(entry);
  });
};

const nonEmpty: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new BadValue('is empty');
  return raw;
};

const anyText: Parser<string> = (raw) => raw;

const host: Parser<string> = (raw) => {
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)$/.test(raw)) {
    throw new BadValue('is not a host name or address; write it like 127.0.0.1 or mysql.local, without a port');
  }
  return raw;
};

const flavour: Parser<DatabaseFlavour> = (raw) => {
  if (raw !== 'mysql' && raw !== 'mariadb') throw new BadValue('must be mysql or mariadb');
  return raw;
};

function variable<T>(
  name: string,
  defaultValue: string,
  parse: Parser<T>,
  description: string,
  secret = false,
): Variable<T> {
  return { name, default: defaultValue, parse, description, secret };
}

/** The variable that names each optional service's address. */
export const absentVariable: Record<OptionalService, string> = {
  ksqlDB: 'WORKSHOP_KSQLDB_URL',
  'Schema Registry': 'WORKSHOP_SCHEMA_REGISTRY_URL',
  Flink: 'WORKSHOP_FLINK_URL',
  'Flink SQL Gateway': 'WORKSHOP_FLINK_SQL_GATEWAY_URL',
};

/** Every variable the kit reads, in the order the README lists them. */
export const variables = {
  kafkaBootstrapServers: variable(
    'WORKSHOP_KAFKA_BOOTSTRAP_SERVERS',
    '127.0.0.1:9092',
    brokerList,
    'Kafka brokers, host:port, comma-separated',
  ),
  connectUrl: variable('WORKSHOP_CONNECT_URL', 'http://127.0.0.1:8083', url, 'Kafka Connect REST API'),
  ksqldbUrl: variable(
    'WORKSHOP_KSQLDB_URL',
    'http://127.0.0.1:8088',
    urlOrNone,
    'ksqlDB server REST API; none where the platform runs no ksqlDB',
  ),
  schemaRegistryUrl: variable(
    'WORKSHOP_SCHEMA_REGISTRY_URL',
    'http://127.0.0.1:8081',
    urlOrNone,
    'Schema Registry; none where the platform runs no registry',
  ),
  flinkUrl: variable(
    'WORKSHOP_FLINK_URL',
    'http://127.0.0.1:8082',
    urlOrNone,
    "Apache Flink's JobManager REST API and web UI; none where the platform runs no Flink",
  ),
  flinkSqlGatewayUrl: variable(
    'WORKSHOP_FLINK_SQL_GATEWAY_URL',
    'http://127.0.0.1:8084',
    urlOrNone,
    "Flink's SQL Gateway REST API (npm run flink); none where the platform runs no Flink",
  ),
  mysqlHost: variable('WORKSHOP_MYSQL_HOST', '127.0.0.1', host, 'MySQL (or MariaDB) host'),
  mysqlPort: variable('WORKSHOP_MYSQL_PORT', '3306', port, 'MySQL port'),
  mysqlUser: variable('WORKSHOP_MYSQL_USER', 'workshop', nonEmpty, 'MySQL user the kit connects as'),
  mysqlPassword: variable('WORKSHOP_MYSQL_PASSWORD', 'workshop', anyText, 'its password (a local default)', true),
  mysqlDatabase: variable('WORKSHOP_MYSQL_DATABASE', 'demo', nonEmpty, 'database holding CUSTOMERS'),
  databaseFlavour: variable(
    'WORKSHOP_DATABASE_FLAVOUR',
    'mysql',
    flavour,
    'mysql (the compose stack) or mariadb (the local test stack)',
  ),
  elasticsearchUrl: variable('WORKSHOP_ELASTICSEARCH_URL', 'http://127.0.0.1:9200', url, 'Elasticsearch'),
  kibanaUrl: variable('WORKSHOP_KIBANA_URL', 'http://127.0.0.1:5601', url, 'Kibana'),
  slackWebhookUrl: variable(
    'WORKSHOP_SLACK_WEBHOOK_URL',
    '',
    secretUrl,
    'a Slack (or Slack-compatible) incoming webhook for npm run notify; unset, it prints instead (a secret: never printed)',
    true,
  ),
  headlessKsqldbHome: variable(
    'WORKSHOP_HEADLESS_KSQLDB_HOME',
    '',
    (raw) => (raw === '' ? undefined : raw),
    'a ksqlDB install on this machine that npm run headless runs the headless server from; unset, it runs the compose service ksqldb-headless',
  ),
  flinkKafkaBootstrapServers: variable(
    'WORKSHOP_FLINK_KAFKA_BOOTSTRAP_SERVERS',
    'kafka:29092',
    (raw) => brokerList(raw).join(','),
    "Kafka brokers as Flink's jobs see them (npm run flink and solve write it into a table's properties.bootstrap.servers)",
  ),
  connectMysqlHost: variable(
    'WORKSHOP_CONNECT_MYSQL_HOST',
    'mysql',
    host,
    'MySQL host as Kafka Connect sees it (used by npm run solve)',
  ),
  connectMysqlPort: variable('WORKSHOP_CONNECT_MYSQL_PORT', '3306', port, 'MySQL port as Kafka Connect sees it'),
  connectKafkaBootstrapServers: variable(
    'WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS',
    'kafka:29092',
    (raw) => brokerList(raw).join(','),
    'Kafka brokers as Kafka Connect sees them',
  ),
  connectElasticsearchUrl: variable(
    'WORKSHOP_CONNECT_ELASTICSEARCH_URL',
    'http://elasticsearch:9200',
    url,
    'Elasticsearch as Kafka Connect sees it',
  ),
  connectSchemaRegistryUrl: variable(
    'WORKSHOP_CONNECT_SCHEMA_REGISTRY_URL',
    'http://schema-registry:8081',
    url,
    'Schema Registry as Kafka Connect sees it (used by npm run solve)',
  ),
} as const;

export type VariableKey = keyof typeof variables;

type Values = { [K in VariableKey]: ReturnType<(typeof variables)[K]['parse']> };

/**
 * Reads the configuration from `env`. Every malformed variable is reported at once, each named with what was wrong,
 * so a person fixes them all in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkshopConfig {
  const problems: string[] = [];
  const values: Partial<Record<VariableKey, unknown>> = {};
  for (const [key, spec] of Object.entries(variables) as [VariableKey, Variable<unknown>][]) {
    const raw = env[spec.name];
    const given = raw !== undefined && raw !== '';
    try {
      values[key] = spec.parse(given ? raw : spec.default);
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${spec.name}=${shown} ${error.message}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      problems.length === 1
        ? `${problems[0]}.`
        : `${problems.length} WORKSHOP_* variables are malformed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'fix the variable in your shell (or unset it to use the default); the README lists every variable',
    );
  }
  const v = values as Values;
  const absent: OptionalService[] = [];
  if (v.ksqldbUrl === absentValue) absent.push('ksqlDB');
  if (v.schemaRegistryUrl === absentValue) absent.push('Schema Registry');
  if (v.flinkUrl === absentValue) absent.push('Flink');
  if (v.flinkSqlGatewayUrl === absentValue) absent.push('Flink SQL Gateway');
  return {
    absent,
    kafkaBootstrapServers: v.kafkaBootstrapServers,
    connectUrl: v.connectUrl,
    ksqldbUrl: v.ksqldbUrl,
    schemaRegistryUrl: v.schemaRegistryUrl,
    flinkUrl: v.flinkUrl,
    flinkSqlGatewayUrl: v.flinkSqlGatewayUrl,
    flinkKafkaBootstrapServers: v.flinkKafkaBootstrapServers,
    mysql: {
      host: v.mysqlHost,
      port: v.mysqlPort,
      user: v.mysqlUser,
      password: v.mysqlPassword,
      database: v.mysqlDatabase,
      flavour: v.databaseFlavour,
    },
    elasticsearchUrl: v.elasticsearchUrl,
    kibanaUrl: v.kibanaUrl,
    slackWebhookUrl: v.slackWebhookUrl,
    headlessKsqldbHome: v.headlessKsqldbHome,
    fromConnect: {
      mysqlHost: v.connectMysqlHost,
      mysqlPort: v.connectMysqlPort,
      kafkaBootstrapServers: v.connectKafkaBootstrapServers,
      elasticsearchUrl: v.connectElasticsearchUrl,
      schemaRegistryUrl: v.connectSchemaRegistryUrl,
    },
  };
}
