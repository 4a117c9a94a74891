/**
 * What each service of docker-compose.yml is to a learner: a name to read and where it answers on the laptop. The
 * addresses are built from the ports the containers publish, and each is the default of one WORKSHOP_* variable
 * (a test proves it), so the kit's commands reach the platform without any configuration.
 */
import type { VariableKey } from '#core/config.js';

export interface ServiceGuide {
  label: string;
  /** The WORKSHOP_* variable whose default points at this service. */
  variable?: VariableKey;
  /** Where the service answers, from the port published on 127.0.0.1. */
  address?: (hostPort: number) => string;
  /** For a service without an address: how a learner uses it. */
  use?: string;
}

const http = (port: number) => `http://127.0.0.1:${port}`;
const hostPort = (port: number) => `127.0.0.1:${port}`;

export const serviceGuides: Record<string, ServiceGuide> = {
  kafka: { label: 'Kafka broker', variable: 'kafkaBootstrapServers', address: hostPort },
  'schema-registry': { label: 'Schema Registry', variable: 'schemaRegistryUrl', address: http },
  'kafka-connect': { label: 'Kafka Connect', variable: 'connectUrl', address: http },
  'ksqldb-server': { label: 'ksqlDB server', variable: 'ksqldbUrl', address: http },
  'ksqldb-cli': { label: 'ksqlDB CLI', use: 'docker compose exec ksqldb-cli ksql http://ksqldb-server:8088' },
  'flink-jobmanager': { label: 'Flink JobManager (web UI)', variable: 'flinkUrl', address: http },
  'flink-taskmanager': { label: 'Flink TaskManager', use: 'runs the jobs; the JobManager’s web UI shows them' },
  'flink-sql-gateway': { label: 'Flink SQL Gateway', variable: 'flinkSqlGatewayUrl', address: http },
  mysql: { label: 'MySQL', variable: 'mysqlPort', address: hostPort },
  elasticsearch: { label: 'Elasticsearch', variable: 'elasticsearchUrl', address: http },
  kibana: { label: 'Kibana', variable: 'kibanaUrl', address: http },
};

export function serviceLabel(service: string): string {
  return serviceGuides[service]?.label ?? service;
}

/** The address shown for a service, or how to use it, or an empty string. */
export function serviceAddress(service: string, hostPort: number | undefined): string {
  const guide = serviceGuides[service];
  if (!guide) return '';
  if (guide.address && hostPort !== undefined) return guide.address(hostPort);
  return guide.use ?? '';
}
