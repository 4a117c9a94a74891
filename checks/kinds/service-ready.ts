/** A service of the platform is reachable and ready (step 1's expectations, and the first look of every step). */

import { resolvePluginClass } from '#checks/clients/connector-classes.js';
import { type ExpectationKind, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { EnvironmentError } from '#core/errors.js';

const services = ['kafka', 'connect', 'ksqldb', 'mysql', 'elasticsearch', 'kibana'] as const;
type Service = (typeof services)[number];

interface ServiceReady {
  service: Service;
  /** For connect: plugin classes (or roles: debezium-source, elasticsearch-sink) that must be installed. */
  plugins: string[];
}

const names: Record<Service, string> = {
  kafka: 'Kafka',
  connect: 'Kafka Connect',
  ksqldb: 'ksqlDB',
  mysql: 'MySQL',
  elasticsearch: 'Elasticsearch',
  kibana: 'Kibana',
};

/** A service still starting: retried, and an environment error if it is still not ready at the deadline. */
const starting = (found: string): Observation => ({ ...notYet(found), atDeadline: 'environment-error' });

export const serviceReady: ExpectationKind<ServiceReady> = {
  kind: 'service-ready',
  deadlineMs: 5_000,
  parse: (params) => {
    params.only(['service', 'plugins']);
    return { service: params.oneOf('service', services), plugins: params.strings('plugins') };
  },
  object: ({ service }) => `service ${names[service]}`,
  expected: ({ service, plugins }, config) => {
    const base: Record<Service, string> = {
      kafka: 'answers a metadata request',
      connect: 'answers its REST API',
      ksqldb: 'reports serverStatus RUNNING',
      mysql: 'accepts a query',
      elasticsearch: 'cluster health green or yellow',
      kibana: 'reports status available',
    };
    const plugins_ = plugins.map((p) => resolvePluginClass(p, config.mysql.flavour));
    return plugins_.length > 0 ? `${base[service]}, with plugins ${plugins_.join(', ')}` : base[service];
  },
  observe: async ({ service, plugins }, { services: s, config }): Promise<Observation> => {
    switch (service) {
      case 'kafka': {
        const cluster = await s.withKafkaAdmin((admin) => admin.describeCluster());
        return pass(`${cluster.brokers.length} broker(s), controller ${cluster.controller}`);
      }
      case 'connect': {
        const root = await s.connect<{ version?: string }>('/');
        const listed = await s.connect<{ class: string }[]>('/connector-plugins');
        const classes = Array.isArray(listed.body) ? listed.body.map((p) => p.class) : [];
        const missing = plugins
          .map((p) => resolvePluginClass(p, config.mysql.flavour))
          .filter((c) => !classes.includes(c));
        if (missing.length > 0) {
          // The plugins come with the platform's Connect image: a missing one is the environment, not the learner.
          throw new EnvironmentError(
            `Kafka Connect at ${config.connectUrl} lacks the plugin(s) ${missing.join(', ')} (installed: ${classes.join(', ') || 'none'})`,
            'rebuild the platform’s Connect image: docker compose build kafka-connect, then npm run up',
          );
        }
        return pass(`Kafka Connect ${root.body?.version ?? ''} with ${classes.length} plugins`.replace('  ', ' '));
      }
      case 'ksqldb': {
        const info = await s.http<{ KsqlServerInfo?: { serverStatus?: string; version?: string } }>(
          'ksqlDB',
          config.ksqldbUrl,
          '/info',
        );
        const status = info.body?.KsqlServerInfo?.serverStatus;
        if (status === 'RUNNING') return pass(`ksqlDB ${info.body?.KsqlServerInfo?.version ?? ''} RUNNING`.trim());
        if (status === 'ERROR') {
          throw new EnvironmentError(
            `ksqlDB at ${config.ksqldbUrl} reports serverStatus ERROR`,
            'see docker compose logs ksqldb-server',
          );
        }
        return starting(`serverStatus ${status ?? `missing (HTTP ${info.status})`}`);
      }
      case 'mysql': {
        const version = await s.withMysql(async (db) => {
          const [rows] = await s.query(db, 'SELECT VERSION() AS version');
          return (rows as { version: string }[])[0]?.version ?? '?';
        });
        return pass(`${config.mysql.flavour === 'mariadb' ? 'MariaDB' : 'MySQL'} ${version}`);
      }
      case 'elasticsearch': {
        const health = await s.http<{ status?: string }>('Elasticsearch', config.elasticsearchUrl, '/_cluster/health');
        const status = health.body?.status;
        if (status === 'green' || status === 'yellow') return pass(`cluster health ${status}`);
        return starting(`cluster health ${status ?? `unknown (HTTP ${health.status})`}`);
      }
      case 'kibana': {
        const answer = await s.http<{ status?: { overall?: { level?: string } } }>(
          'Kibana',
          config.kibanaUrl,
          '/api/status',
        );
        const level = answer.body?.status?.overall?.level;
        if (level === 'available') return pass('status available');
        return starting(`status ${level ?? `unknown (HTTP ${answer.status})`}`);
      }
    }
  },
};
