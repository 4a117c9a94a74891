/**
 * Connector classes by role. The learners' MySQL and the local test stack's MariaDB need different Debezium classes;
 * everything else in a connector config is the same.
 */
import type { DatabaseFlavour } from '#core/config.js';

export const debeziumClasses: Record<DatabaseFlavour, string> = {
  mysql: 'io.debezium.connector.mysql.MySqlConnector',
  mariadb: 'io.debezium.connector.mariadb.MariaDbConnector',
};

export const elasticsearchSinkClass = 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector';

/** A plugin named in a step file: a class, or a role resolved for the configured database. */
export function resolvePluginClass(name: string, flavour: DatabaseFlavour): string {
  if (name === 'debezium-source') return debeziumClasses[flavour];
  if (name === 'elasticsearch-sink') return elasticsearchSinkClass;
  return name;
}
