/** A Kafka Connect worker in distributed mode with the Debezium plugin, from the jars Maven resolved. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServerProcess } from '#core/process.js';
import { NotYet, waitFor } from '#core/wait.js';
import { extraJvmOptions } from './jvm-options.js';
import { log4j2Properties } from './kafka.js';
import { ManagedServer } from './managed-server.js';
import { freePort } from './ports.js';

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
  mkdirSync(dir, { recursive: true });
  const logPath = path.join(dir, 'connect.log');
  const workerPath = path.join(dir, 'worker.properties');
  writeFileSync(
    workerPath,
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
  const log4jPath = path.join(dir, 'log4j2.properties');
  writeFileSync(log4jPath, log4j2Properties(logPath));
  const launch = () =>
    ServerProcess.start({
      name: 'Kafka Connect',
      command: options.java,
      args: [
        `-Xms${options.heapMb ?? 512}m`,
        `-Xmx${options.heapMb ?? 512}m`,
        ...extraJvmOptions(),
        `-Dlog4j2.configurationFile=${log4jPath}`,
        '-cp',
        options.classpath,
        'org.apache.kafka.connect.cli.ConnectDistributed',
        workerPath,
      ],
      logPath,
      env: { ...process.env, ...options.secretEnv },
    });
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const server = await ManagedServer.start(
    'Kafka Connect',
    launch,
    (worker) => waitForConnect(worker, url, timeoutMs),
    options.onLaunch,
  );
  return { server, url };
}

/** The connectors the course uses: the worker is ready when it lists both (a plugin without manifests would not be). */
export const requiredConnectorClasses = [debeziumMariaDbConnectorClass, elasticsearchSinkClass];

/** Ready when the REST API lists every connector the course needs (so the plugins were found). */
async function waitForConnect(worker: ServerProcess, url: string, timeoutMs: number): Promise<void> {
  try {
    await waitFor({
      what: `Kafka Connect at ${url} to list the connectors ${requiredConnectorClasses.join(', ')}`,
      giveUpIf: () => worker.exitDescription(),
      timeoutMs,
      intervalMs: 200,
      probe: async () => {
        const response = await fetch(`${url}/connector-plugins`, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) return new NotYet(`GET /connector-plugins answered ${response.status}`);
        const plugins = (await response.json()) as { class: string }[];
        const missing = requiredConnectorClasses.filter((c) => !plugins.some((plugin) => plugin.class === c));
        return missing.length === 0
          ? true
          : new NotYet(
              `missing ${missing.join(', ')}; plugins listed: ${plugins.map((p) => p.class).join(', ') || 'none'}`,
            );
      },
    });
  } catch (error) {
    throw worker.failure((error as Error).message);
  }
}
