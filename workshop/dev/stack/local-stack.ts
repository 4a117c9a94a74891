/**
 * The local stack: real Kafka, Kafka Connect with Debezium, MariaDB (holding the learners' CUSTOMERS seed) and
 * Elasticsearch, started without Docker on 127.0.0.1 and free ports, plus a real ksqlDB when one is installed (see
 * ksqldb.ts) and a Kibana stand-in (Kibana cannot run here). `npm run stack:local` and the integration tests' setup
 * both start it through here.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { ensureTimestampTemplate } from '#checks/clients/index-template.js';
import { absentValue } from '#core/config.js';
import type { ServerProcess } from '#core/process.js';
import { repoPath } from '#core/state-dir.js';
import { type Artifacts, ensureAvroConverterPlugin, resolveArtifacts } from './artifacts.js';
import { type ConnectServer, startConnect } from './connect.js';
import { type ElasticsearchServer, startElasticsearch } from './elasticsearch.js';
import { type FlinkServers, type OptInPart, resolveFlinkClasspath, stackWith, startFlink } from './flink.js';
import { type KafkaServer, startKafka } from './kafka.js';
import { kibanaStandIn } from './kibana-standin.js';
import { findKsqlDb, type KsqlDbServer, type StackPart, stackWithout, startKsqlDb } from './ksqldb.js';
import type { ManagedServer } from './managed-server.js';
import { type MariaDbServer, startMariaDb, warehouseDatabase } from './mariadb.js';
import { freePorts } from './ports.js';
import { findExecutable, findTools } from './prerequisites.js';
import { findSchemaRegistry, type SchemaRegistryServer, startSchemaRegistry } from './schema-registry.js';
import type { StandIn } from './standins.js';

/** The environment variables through which Connect workers pass the connector user's credentials to connectors. */
export const connectorSecretVariables = {
  user: 'DEBEZIUM_DATABASE_USER',
  password: 'DEBEZIUM_DATABASE_PASSWORD',
} as const;

/** The same for step 14's warehouse sink. */
export const warehouseSecretVariables = {
  user: 'WAREHOUSE_DATABASE_USER',
  password: 'WAREHOUSE_DATABASE_PASSWORD',
} as const;

export const stackServerKeys = [
  'kafka',
  'connect',
  'mariadb',
  'elasticsearch',
  'ksqldb',
  'schemaRegistry',
  'flinkJobManager',
  'flinkTaskManager',
  'flinkSqlGateway',
] as const;
export type StackServerKey = (typeof stackServerKeys)[number];

/** Where the stack's servers answer: plain data, so a test setup can hand it to test files. */
export interface LocalStackEndpoints {
  dir: string;
  kafka: { bootstrapServers: string };
  connect: { url: string };
  mariadb: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    connectorUser: string;
    connectorPassword: string;
    serverId: number;
  };
  elasticsearch: { url: string };
  /** A real ksqlDB server, or why there is none (no install found). */
  ksqldb: { url: string; home: string } | { absent: string };
  /** A real Schema Registry (from the same install as ksqlDB), or why there is none. */
  schemaRegistry: { url: string } | { absent: string };
  /** Apache Flink (JobManager REST and SQL Gateway), started only when asked (WORKSHOP_STACK_WITH=flink). */
  flink: { url: string; sqlGatewayUrl: string } | { absent: string };
  /** Kibana cannot run here: a stand-in answering its status API. */
  kibana: { url: string; standIn: true };
}

export interface StartTimings {
  /** Milliseconds from the call to each server being ready. */
  artifactsMs: number;
  kafkaMs: number;
  connectMs: number;
  mariadbMs: number;
  elasticsearchMs: number;
  /** Absent when no ksqlDB is installed. */
  ksqldbMs?: number;
  /** Absent when no Schema Registry is installed. */
  schemaRegistryMs?: number;
  /** Absent unless Flink was asked for: until its three servers are ready. */
  flinkMs?: number;
  totalMs: number;
  /** Whether Maven ran (cold cache) or everything was cached (warm). */
  resolvedNow: boolean;
}

/** The timings taken when a server is ready. */
type ServerTiming = Exclude<keyof StartTimings, 'artifactsMs' | 'totalMs' | 'resolvedNow'>;

export interface LocalStack {
  endpoints: LocalStackEndpoints;
  timings: StartTimings;
  kafka: KafkaServer;
  connect: ConnectServer;
  mariadb: MariaDbServer;
  elasticsearch: ElasticsearchServer;
  ksqldb?: KsqlDbServer;
  schemaRegistry?: SchemaRegistryServer;
  flink?: FlinkServers;
  /**
   * Each server by its key, to stop and start again (tests of a broker restart or a service that is down); ksqlDB
   * only when installed.
   */
  servers: Partial<Record<StackServerKey, ManagedServer>> &
    Record<Exclude<StackServerKey, 'ksqldb' | 'schemaRegistry' | `flink${string}`>, ManagedServer>;
  /** The processes running now, in start order. */
  processes(): ServerProcess[];
  /** Stops every server, in reverse order of start, and removes the stack's folder unless asked to keep it. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

export interface LocalStackOptions {
  /** Told each server's progress: "Kafka ready at 127.0.0.1:40123". */
  onProgress?: (message: string) => void;
  cacheDir?: string;
  mavenRepo?: string;
  /** What to start beyond the usual servers; WORKSHOP_STACK_WITH unless told. */
  with?: OptInPart[];
}

/** The variables that point the kit at a running local stack (`export` lines for a shell, or a test's env). */
export function workshopEnv(endpoints: LocalStackEndpoints): Record<string, string> {
  return {
    WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: endpoints.kafka.bootstrapServers,
    WORKSHOP_CONNECT_URL: endpoints.connect.url,
    WORKSHOP_MYSQL_HOST: endpoints.mariadb.host,
    WORKSHOP_MYSQL_PORT: String(endpoints.mariadb.port),
    WORKSHOP_MYSQL_USER: endpoints.mariadb.user,
    WORKSHOP_MYSQL_PASSWORD: endpoints.mariadb.password,
    WORKSHOP_MYSQL_DATABASE: endpoints.mariadb.database,
    WORKSHOP_DATABASE_FLAVOUR: 'mariadb',
    WORKSHOP_ELASTICSEARCH_URL: endpoints.elasticsearch.url,
    // A server the stack does not run is absent, not unreachable: "none", so nothing talks to the default address
    // (where, on another machine, something else may listen).
    WORKSHOP_KSQLDB_URL: 'url' in endpoints.ksqldb ? endpoints.ksqldb.url : absentValue,
    // Step 15's headless server runs from the same install, started by npm run headless.
    ...('home' in endpoints.ksqldb ? { WORKSHOP_HEADLESS_KSQLDB_HOME: endpoints.ksqldb.home } : {}),
    ...('url' in endpoints.schemaRegistry
      ? {
          WORKSHOP_SCHEMA_REGISTRY_URL: endpoints.schemaRegistry.url,
          WORKSHOP_CONNECT_SCHEMA_REGISTRY_URL: endpoints.schemaRegistry.url,
        }
      : { WORKSHOP_SCHEMA_REGISTRY_URL: absentValue }),
    WORKSHOP_FLINK_URL: 'url' in endpoints.flink ? endpoints.flink.url : absentValue,
    WORKSHOP_FLINK_SQL_GATEWAY_URL: 'url' in endpoints.flink ? endpoints.flink.sqlGatewayUrl : absentValue,
    // Flink runs on this machine too, so its jobs see the same Kafka address.
    WORKSHOP_FLINK_KAFKA_BOOTSTRAP_SERVERS: endpoints.kafka.bootstrapServers,
    WORKSHOP_KIBANA_URL: endpoints.kibana.url,
    // Connect runs on this machine too, so it sees the same addresses.
    WORKSHOP_CONNECT_MYSQL_HOST: endpoints.mariadb.host,
    WORKSHOP_CONNECT_MYSQL_PORT: String(endpoints.mariadb.port),
    WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS: endpoints.kafka.bootstrapServers,
    WORKSHOP_CONNECT_ELASTICSEARCH_URL: endpoints.elasticsearch.url,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => undefined);
  const tools = findTools();
  const started = Date.now();
  const since = () => Date.now() - started;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'workshop-stack-'));
  // Elasticsearch may run as another user and must reach its folder inside this one.
  chmodSync(dir, 0o755);
  const pidsFile = path.join(dir, 'pids');
  const running: ManagedServer[] = [];
  // Every process group the stack may still have is listed for the watchdog: a launch (restarts included) adds its
  // pid, and a stop, once it has killed the whole group, removes it. A leader that died by itself stays listed, as
  // what it started may outlive it. So the watchdog never signals a group the stack has already ended, whose number
  // the system may have given to someone else. The file is replaced whole (written aside, then renamed), so the
  // watchdog never reads half of it.
  const live = new Set<number>();
  const writePids = () => {
    if (!existsSync(dir)) return; // the stack was stopped and its folder removed: nothing left to watch
    writeFileSync(`${pidsFile}.next`, [...live].map((pid) => `${pid}\n`).join(''));
    renameSync(`${pidsFile}.next`, pidsFile);
  };
  const onLaunch = (launched: ServerProcess) => {
    if (!launched.pid) return;
    live.add(launched.pid);
    writePids();
  };
  const timings: Partial<StartTimings> = {};
  /**
   * Awaits one server's start and keeps it, to be stopped with the stack (on a later failure too); `prepare` (MariaDB's
   * seed) runs next, and then the server counts as ready: its time is taken and its progress told.
   */
  const startOne = async <T extends { server: ManagedServer }>(
    timing: ServerTiming,
    start: Promise<T>,
    ready: (started: T) => string,
    prepare?: (started: T) => Promise<void>,
  ): Promise<T> => {
    const started = await start;
    running.push(started.server);
    started.server.onStop((stopped) => {
      if (stopped.pid && live.delete(stopped.pid)) writePids();
    });
    await prepare?.(started);
    timings[timing] = since();
    progress(ready(started));
    return started;
  };
  const watchdog = startWatchdog(dir, pidsFile);
  let kibana: StandIn | undefined;
  const stopAll = async () => {
    for (const server of [...running].reverse()) await server.stop();
    await kibana?.close();
    watchdog.kill();
  };
  // Found before anything starts: a CONFLUENT_HOME without ksqlDB is refused at once. WORKSHOP_STACK_WITHOUT hides
  // an install, so that a machine with one can run as a fresh machine does.
  const without = stackWithout();
  const withFlink = new Set(options.with ?? stackWith()).has('flink');
  const confluent = findKsqlDb();
  const hidden = (part: StackPart) => ({
    absent: `hidden by WORKSHOP_STACK_WITHOUT=${[...without].join(',')} (${part})`,
  });
  const ksqlInstall = without.has('ksqldb') ? hidden('ksqldb') : confluent;
  const registryInstall = without.has('schema-registry')
    ? hidden('schema-registry')
    : 'home' in confluent
      ? findSchemaRegistry(confluent.home)
      : confluent;

  try {
    progress('resolving jars and archives with Maven (cached after the first run)');
    const artifacts: Artifacts = await resolveArtifacts({
      mvn: tools.mvn,
      javaHome: tools.javaHome,
      cacheDir: options.cacheDir,
      mavenRepo: options.mavenRepo,
    });
    timings.artifactsMs = since();
    timings.resolvedNow = artifacts.resolvedNow;

    const kafkaConnectKsqlDb = (async () => {
      const kafka = await startOne(
        'kafkaMs',
        startKafka({ java: tools.java, classpath: artifacts.kafkaClasspath, dir: path.join(dir, 'kafka'), onLaunch }),
        (started) => `Kafka ready at ${started.bootstrapServers}`,
      );
      // Connect, ksqlDB and the Schema Registry start side by side; ksqlDB is told Connect's and the registry's
      // addresses before they answer on them.
      const [connectPort, registryPort] = (await freePorts(2)) as [number, number];
      const connectStart = (async () => {
        // With a registry installed, Connect gets Confluent's Avro converter from its jars (step 11 needs it).
        const avroPluginPath =
          'home' in registryInstall
            ? await ensureAvroConverterPlugin(tools.javaHome, artifacts, registryInstall.home).catch((error) => {
                // Only step 11 (optional) needs it: the stack starts without it and says why.
                progress(`Kafka Connect starts without the Avro converter: ${(error as Error).message}`);
                return undefined;
              })
            : undefined;
        return startOne(
          'connectMs',
          startConnect({
            java: tools.java,
            classpath: artifacts.kafkaClasspath,
            pluginPath: [artifacts.connectPluginPath, avroPluginPath].filter(Boolean).join(','),
            bootstrapServers: kafka.bootstrapServers,
            dir: path.join(dir, 'connect'),
            port: connectPort,
            onLaunch,
            secretEnv: {
              [connectorSecretVariables.user]: 'debezium',
              [connectorSecretVariables.password]: 'dbz',
              [warehouseSecretVariables.user]: warehouseDatabase.user,
              [warehouseSecretVariables.password]: warehouseDatabase.password,
            },
          }),
          (connect) => `Kafka Connect ready at ${connect.url}`,
        );
      })();
      const ksqlDbStart = (async () => {
        if (!('home' in ksqlInstall)) {
          progress(`ksqlDB absent: ${ksqlInstall.absent}`);
          return undefined;
        }
        return startOne(
          'ksqldbMs',
          startKsqlDb({
            home: ksqlInstall.home,
            javaHome: tools.javaHome,
            bootstrapServers: kafka.bootstrapServers,
            connectUrl: `http://127.0.0.1:${connectPort}`,
            schemaRegistryUrl: 'home' in registryInstall ? `http://127.0.0.1:${registryPort}` : undefined,
            dir: path.join(dir, 'ksqldb'),
            onLaunch,
          }),
          (ksqldb) => `ksqlDB ready at ${ksqldb.url} (from ${ksqlInstall.home})`,
        );
      })();
      const registryStart = (async () => {
        if (!('home' in registryInstall)) {
          progress(`Schema Registry absent: ${registryInstall.absent}`);
          return undefined;
        }
        return startOne(
          'schemaRegistryMs',
          startSchemaRegistry({
            home: registryInstall.home,
            javaHome: tools.javaHome,
            bootstrapServers: kafka.bootstrapServers,
            port: registryPort,
            dir: path.join(dir, 'schema-registry'),
            onLaunch,
          }),
          (registry) => `Schema Registry ready at ${registry.url}`,
        );
      })();
      const [connect, ksqldb, schemaRegistry] = await settleAll([connectStart, ksqlDbStart, registryStart] as const);
      return { kafka, connect, ksqldb, schemaRegistry };
    })();
    // Flink needs nothing of the others to start (its jobs find Kafka when they run).
    const flinkStart = (async () => {
      if (!withFlink) {
        progress('Flink not started: WORKSHOP_STACK_WITH=flink starts it');
        return undefined;
      }
      const { classpath } = await resolveFlinkClasspath({
        mvn: tools.mvn,
        javaHome: tools.javaHome,
        cacheDir: options.cacheDir,
        mavenRepo: options.mavenRepo,
      });
      const flink = await startFlink({
        java: tools.java,
        classpath,
        dir: path.join(dir, 'flink'),
        onLaunch,
        onReady: progress,
      });
      for (const server of [flink.jobManager, flink.taskManager, flink.gateway]) {
        running.push(server);
        server.onStop((stopped) => {
          if (stopped.pid && live.delete(stopped.pid)) writePids();
        });
      }
      timings.flinkMs = since();
      return flink;
    })();
    const mariadbStart = startOne(
      'mariadbMs',
      startMariaDb({
        mariadbd: tools.mariadbd,
        mariadbInstallDb: tools.mariadbInstallDb,
        dir: path.join(dir, 'mariadb'),
        onLaunch,
      }),
      (mariadb) => `MariaDB ready at ${mariadb.host}:${mariadb.port}, with the CUSTOMERS seed`,
      loadCustomersSeed,
    );
    const elasticsearchStart = startOne(
      'elasticsearchMs',
      startElasticsearch({
        home: artifacts.elasticsearchHome,
        javaHome: tools.javaHome,
        dir: path.join(dir, 'elasticsearch'),
        onLaunch,
      }),
      (elasticsearch) => `Elasticsearch ready at ${elasticsearch.url}, with the index template of the pipeline's times`,
      // As npm run up does on the learners' platform: the sink's indexes map the pipeline's times as dates.
      (elasticsearch) => ensureTimestampTemplate(elasticsearch.url),
    );

    // Wait for all of them, even when one fails, so nothing is left starting behind our back.
    const [{ kafka, connect, ksqldb, schemaRegistry }, mariadb, elasticsearch, flink] = await settleAll([
      kafkaConnectKsqlDb,
      mariadbStart,
      elasticsearchStart,
      flinkStart,
    ] as const);
    kibana = await kibanaStandIn();
    timings.totalMs = since();

    const endpoints: LocalStackEndpoints = {
      dir,
      kafka: { bootstrapServers: kafka.bootstrapServers },
      connect: { url: connect.url },
      mariadb: {
        host: mariadb.host,
        port: mariadb.port,
        database: mariadb.database,
        user: mariadb.app.user,
        password: mariadb.app.password,
        connectorUser: mariadb.connector.user,
        connectorPassword: mariadb.connector.password,
        serverId: mariadb.serverId,
      },
      elasticsearch: { url: elasticsearch.url },
      ksqldb: ksqldb
        ? { url: ksqldb.url, home: ksqldb.home }
        : { absent: 'absent' in ksqlInstall ? ksqlInstall.absent : 'not started' },
      schemaRegistry: schemaRegistry
        ? { url: schemaRegistry.url }
        : { absent: 'absent' in registryInstall ? registryInstall.absent : 'not started' },
      flink: flink
        ? { url: flink.url, sqlGatewayUrl: flink.sqlGatewayUrl }
        : { absent: 'not started: WORKSHOP_STACK_WITH=flink starts it' },
      kibana: { url: kibana.url, standIn: true },
    };
    return {
      endpoints,
      timings: timings as StartTimings,
      kafka,
      connect,
      mariadb,
      elasticsearch,
      ksqldb,
      schemaRegistry,
      flink,
      servers: {
        kafka: kafka.server,
        connect: connect.server,
        mariadb: mariadb.server,
        elasticsearch: elasticsearch.server,
        ...(ksqldb ? { ksqldb: ksqldb.server } : {}),
        ...(schemaRegistry ? { schemaRegistry: schemaRegistry.server } : {}),
        ...(flink
          ? { flinkJobManager: flink.jobManager, flinkTaskManager: flink.taskManager, flinkSqlGateway: flink.gateway }
          : {}),
      },
      processes: () => running.map((server) => server.process),
      stop: async ({ keepDir = false } = {}) => {
        await stopAll();
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // Keep the folder: the error names log files inside it.
    await stopAll();
    throw error;
  }
}

/** Waits for every start, even when one fails, then throws the first failure: nothing is left starting unseen. */
async function settleAll<T extends readonly unknown[]>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

const customersSeed = repoPath('docker/mysql/initdb/20-customers.sql');

/**
 * The CUSTOMERS table and its rows, from the file the learners' MySQL loads at first start: the local stack holds
 * what the compose platform holds.
 */
async function loadCustomersSeed(mariadb: MariaDbServer): Promise<void> {
  const db = await mysql.createConnection({
    host: mariadb.host,
    port: mariadb.port,
    user: mariadb.app.user,
    password: mariadb.app.password,
    database: mariadb.database,
    multipleStatements: true,
    connectTimeout: 5_000,
  });
  try {
    await db.query(readFileSync(customersSeed, 'utf8'));
  } finally {
    await db.end();
  }
}

/**
 * A watchdog outside this Node process: if it dies without stopping the stack (killed, crashed), the watchdog stops
 * the servers listed in the pids file, so no process or port is left behind.
 */
function startWatchdog(dir: string, pidsFile: string) {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `[ -f "${pidsFile}" ] || exit 0`,
    `for g in $(cat "${pidsFile}"); do kill -TERM -- -$g 2>/dev/null; done`,
    'sleep 10',
    `for g in $(cat "${pidsFile}"); do kill -KILL -- -$g 2>/dev/null; done`,
  ].join('\n');
  // bash, not sh: Debian's sh (dash) refuses `kill -TERM -- -<group>` ("Illegal number"), so under it the watchdog
  // signalled nothing and a killed stack left its servers running.
  const child = spawn(findExecutable('bash') ?? 'bash', ['-c', script], { cwd: dir, detached: true, stdio: 'ignore' });
  child.unref();
  return {
    kill: () => {
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
