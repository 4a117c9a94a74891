/** A Kafka Connect worker in distributed mode with the Debezium plugin, from the jars Maven resolved. */
import path from 'node:path';
import type { ServerProcess } from '#core/process.js';
import { NotYet } from '#core/wait.js';
import { writeConfigFile } from './config-file.js';
import { kafkaJvmOptions } from './kafka.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePort } from './ports.js';
import { forHttp, type Readiness } from './readiness.js';

export const debeziumMariaDbConnectorClass = 'io.debezium.connector.mariadb.MariaDbConnector';
const elasticsearchSinkClass = 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector';

/**
 * How the worker finds its plugins (KIP-898). service_load reads each plugin's ServiceLoader manifests and starts in
 * a fraction of the time; only_scan loads every class of every plugin by reflection, as Kafka did before 3.6.
 */
export type PluginDiscovery = 'service_load' | 'only_scan';

export interface ConnectServer {
  server: ManagedServer;
  url: string;
}

export interface ConnectOptions {
  java: string;
  classpath: string;
  pluginPath: string;
  bootstrapServers: string;
  dir: string;
  /** The REST port; a free one when not given. */
  port?: number;
  /** Environment of the worker: connector configs read secrets from it as `${env:NAME}`, never holding them. */
  secretEnv?: Record<string, string>;
  heapMb?: number;
  timeoutMs?: number;
  /** service_load unless told (the benchmark compares the two). */
  pluginDiscovery?: PluginDiscovery;
  onLaunch?: (process: ServerProcess) => void;
}

export async function startConnect(options: ConnectOptions): Promise<ConnectServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir;
  const logPath = path.join(dir, 'connect.log');
  const workerPath = writeConfigFile(
    dir,
    'worker.properties',
    [
      `bootstrap.servers=${options.bootstrapServers}`,
      'group.id=workshop-connect',
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable=false',
      'value.converter.schemas.enable=false',
      'config.storage.topic=_connect-configs',
      'offset.storage.topic=_connect-offsets',
      'status.storage.topic=_connect-status',
      'config.storage.replication.factor=1',
      'offset.storage.replication.factor=1',
      'status.storage.replication.factor=1',
      // One partition for each internal topic (25 and 5 by default): a single broker, and a quicker first start.
      'offset.storage.partitions=1',
      'status.storage.partitions=1',
      'offset.flush.interval.ms=1000',
      `listeners=HTTP://127.0.0.1:${port}`,
      'rest.advertised.host.name=127.0.0.1',
      `rest.advertised.port=${port}`,
      `plugin.path=${options.pluginPath}`,
      `plugin.discovery=${options.pluginDiscovery ?? 'service_load'}`,
      // Connector configs name secrets as ${file:...} or ${env:...}; the worker resolves them, the REST API never shows them.
      'config.providers=file,env',
      'config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider',
      'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    name: 'Kafka Connect',
    launch: {
      command: options.java,
      args: [
        ...kafkaJvmOptions({ dir, logPath, heapMb: options.heapMb, classpath: options.classpath }),
        'org.apache.kafka.connect.cli.ConnectDistributed',
        workerPath,
      ],
      logPath,
      env: { ...process.env, ...options.secretEnv },
    },
    ready: connectReadiness(url),
    timeoutMs: options.timeoutMs ?? 120_000,
    onLaunch: options.onLaunch,
  });
  return { server, url };
}

/** The connectors the course uses: the worker is ready when it lists both (a plugin without manifests would not be). */
export const requiredConnectorClasses = [debeziumMariaDbConnectorClass, elasticsearchSinkClass];

/** Ready when the REST API lists every connector the course needs (so the plugins were found). */
function connectReadiness(url: string): Readiness {
  return forHttp(`${url}/connector-plugins`, {
    what: `Kafka Connect at ${url} to list the connectors ${requiredConnectorClasses.join(', ')}`,
    intervalMs: 200,
    body: (json) => {
      const plugins = (json ?? []) as { class: string }[];
      const missing = requiredConnectorClasses.filter((c) => !plugins.some((plugin) => plugin.class === c));
      return missing.length === 0
        ? true
        : new NotYet(
            `missing ${missing.join(', ')}; plugins listed: ${plugins.map((p) => p.class).join(', ') || 'none'}`,
          );
    },
  });
}
