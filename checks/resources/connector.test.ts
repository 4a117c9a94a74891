import { describe, expect, it } from 'vitest';
import { elasticsearchSinkClass } from '#checks/clients/connector-classes.js';
import { loadCourse } from '#checks/course.js';
import { loadConfig } from '#core/config.js';
import {
  adaptConnectorConfig,
  connectorAdaptations,
  connectorTopics,
  describeAdaptations,
  readConnectorFile,
} from './connector.js';

const allConnectorFiles = loadCourse().flatMap((step) =>
  step.solution.flatMap((resource) => (resource.kind === 'connector' ? [resource.file] : [])),
);
const connectorFiles = allConnectorFiles.filter((file) =>
  readConnectorFile(file).config['connector.class']?.startsWith('io.debezium.'),
);
const sinkFiles = allConnectorFiles.filter(
  (file) => readConnectorFile(file).config['connector.class'] === elasticsearchSinkClass,
);

describe('adaptConnectorConfig', () => {
  it.each(sinkFiles)('points %s at Elasticsearch as Connect sees it, and changes nothing else', (file) => {
    const { config } = readConnectorFile(file);
    const local = adaptConnectorConfig(
      config,
      loadConfig({ WORKSHOP_CONNECT_ELASTICSEARCH_URL: 'http://127.0.0.1:40003' }),
    );
    expect(local).toEqual({ ...config, 'connection.url': 'http://127.0.0.1:40003' });
    expect(config['connection.url']).toBe('http://elasticsearch:9200');
  });

  it.each(allConnectorFiles)('leaves %s as it is for the learners’ compose stack', (file) => {
    const { config } = readConnectorFile(file);
    expect(adaptConnectorConfig(config, loadConfig({}))).toEqual(config);
  });

  it.each(connectorFiles)('changes only the connector class of %s for MariaDB on the same network', (file) => {
    const { config } = readConnectorFile(file);
    const mariadb = adaptConnectorConfig(config, loadConfig({ WORKSHOP_DATABASE_FLAVOUR: 'mariadb' }));
    const changed = Object.keys({ ...config, ...mariadb }).filter((key) => config[key] !== mariadb[key]);
    expect(changed).toEqual(['connector.class']);
    expect(config['connector.class']).toBe('io.debezium.connector.mysql.MySqlConnector');
    expect(mariadb['connector.class']).toBe('io.debezium.connector.mariadb.MariaDbConnector');
  });

  it('points the connector at the addresses Connect sees on the local stack', () => {
    const { config } = readConnectorFile(connectorFiles[0] ?? '');
    const local = adaptConnectorConfig(
      config,
      loadConfig({
        WORKSHOP_DATABASE_FLAVOUR: 'mariadb',
        WORKSHOP_CONNECT_MYSQL_HOST: '127.0.0.1',
        WORKSHOP_CONNECT_MYSQL_PORT: '40001',
        WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:40002',
      }),
    );
    expect(local).toMatchObject({
      'database.hostname': '127.0.0.1',
      'database.port': '40001',
      'schema.history.internal.kafka.bootstrap.servers': '127.0.0.1:40002',
    });
  });
});

describe('connectorAdaptations (a learner’s file saved from a guide, applied on the local stack)', () => {
  const localStack = loadConfig({
    WORKSHOP_DATABASE_FLAVOUR: 'mariadb',
    WORKSHOP_CONNECT_MYSQL_HOST: '127.0.0.1',
    WORKSHOP_CONNECT_MYSQL_PORT: '40001',
    WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:40002',
    WORKSHOP_CONNECT_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:40004',
  });
  const guideFile = {
    'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
    'database.hostname': 'mysql',
    'database.port': '3306',
    'schema.history.internal.kafka.bootstrap.servers': 'kafka:29092',
    'value.converter.schema.registry.url': 'http://schema-registry:8081/',
    'topic.prefix': 'mysql',
  };

  it('changes the compose platform’s own values, and says each change with what it was', () => {
    const changes = connectorAdaptations(guideFile, localStack);
    expect(changes).toEqual([
      {
        key: 'connector.class',
        from: 'io.debezium.connector.mysql.MySqlConnector',
        to: 'io.debezium.connector.mariadb.MariaDbConnector',
      },
      { key: 'database.hostname', from: 'mysql', to: '127.0.0.1' },
      { key: 'database.port', from: '3306', to: '40001' },
      { key: 'schema.history.internal.kafka.bootstrap.servers', from: 'kafka:29092', to: '127.0.0.1:40002' },
      {
        key: 'value.converter.schema.registry.url',
        from: 'http://schema-registry:8081/',
        to: 'http://127.0.0.1:40004',
      },
    ]);
    expect(describeAdaptations(changes)).toContain('database.port 3306 → 40001');
    // The topic prefix "mysql" is not an address: it stays.
    expect(adaptConnectorConfig(guideFile, localStack)['topic.prefix']).toBe('mysql');
  });

  it('keeps a learner’s mistakes as written, so the check still sees them', () => {
    const mistaken = { ...guideFile, 'database.hostname': 'mysql-server', 'database.port': '3307' };
    const adapted = adaptConnectorConfig(mistaken, localStack);
    expect(adapted['database.hostname']).toBe('mysql-server');
    expect(adapted['database.port']).toBe('3307');
    // A connector class that is not the guides' stays too: a learner's MariaDB class on the compose platform fails there.
    const mariadbClass = { 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector' };
    expect(connectorAdaptations(mariadbClass, loadConfig({}))).toEqual([]);
  });

  it('changes nothing, and says nothing, on the learners’ compose platform', () => {
    expect(connectorAdaptations(guideFile, loadConfig({}))).toEqual([]);
    expect(describeAdaptations([])).toBe('');
  });
});

describe('connectorTopics', () => {
  it('names the topics under the prefix and the schema history topic, nothing else', () => {
    const config = { 'topic.prefix': 'mysql', 'schema.history.internal.kafka.topic': 'schema-history.customers' };
    expect(
      connectorTopics(config, ['mysql', 'mysql.demo.CUSTOMERS', 'mysqlx.other', 'ratings', 'schema-history.customers']),
    ).toEqual(['mysql', 'mysql.demo.CUSTOMERS', 'schema-history.customers']);
  });
});
