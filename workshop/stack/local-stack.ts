/**
 * The local stack: real Kafka, Kafka Connect with Debezium, MariaDB and Elasticsearch, started without Docker on
 * 127.0.0.1 and free ports. `npm run stack:local` and the integration tests' setup both start it through here.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Artifacts, resolveArtifacts } from './artifacts.js';
import { type ConnectServer, startConnect } from './connect.js';
import { type ElasticsearchServer, startElasticsearch } from './elasticsearch.js';
import { type KafkaServer, startKafka } from './kafka.js';
import type { ManagedServer } from './managed-server.js';
import { type MariaDbServer, startMariaDb } from './mariadb.js';
import { findTools } from './prerequisites.js';
import type { ServerProcess } from './server-process.js';

/** The environment variables through which Connect workers pass the connector user's credentials to connectors. */
export const connectorSecretVariables = {
  user: 'DEBEZIUM_DATABASE_USER',
  password: 'DEBEZIUM_DATABASE_PASSWORD',
} as const;

export const stackServerKeys = ['kafka', 'connect', 'mariadb', 'elasticsearch'] as const;
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
}

export interface StartTimings {
  /** Milliseconds from the call to each server being ready. */
  artifactsMs: number;
  kafkaMs: number;
  connectMs: number;
  mariadbMs: number;
  elasticsearchMs: number;
  totalMs: number;
  /** Whether Maven ran (cold cache) or everything was cached (warm). */
  resolvedNow: boolean;
}

export interface LocalStack {
  endpoints: LocalStackEndpoints;
  timings: StartTimings;
  kafka: KafkaServer;
  connect: ConnectServer;
  mariadb: MariaDbServer;
  elasticsearch: ElasticsearchServer;
  /** Each server by its key, to stop and start again (tests of a broker restart or a service that is down). */
  servers: Record<StackServerKey, ManagedServer>;
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
    // Connect runs on this machine too, so it sees the same addresses.
    WORKSHOP_CONNECT_MYSQL_HOST: endpoints.mariadb.host,
    WORKSHOP_CONNECT_MYSQL_PORT: String(endpoints.mariadb.port),
    WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS: endpoints.kafka.bootstrapServers,
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
  const track = <T extends { server: ManagedServer }>(started: T): T => {
    running.push(started.server);
    started.server.onStop((stopped) => {
      if (stopped.pid && live.delete(stopped.pid)) writePids();
    });
    return started;
  };
  const watchdog = startWatchdog(dir, pidsFile);
  const stopAll = async () => {
    for (const server of [...running].reverse()) await server.stop();
    watchdog.kill();
  };

  try {
    progress('resolving jars and archives with Maven (cached after the first run)');
    const artifacts: Artifacts = await resolveArtifacts({
      mvn: tools.mvn,
      javaHome: tools.javaHome,
      cacheDir: options.cacheDir,
      mavenRepo: options.mavenRepo,
    });
    const artifactsMs = since();
    const timings: Partial<StartTimings> = { artifactsMs, resolvedNow: artifacts.resolvedNow };

    const kafkaAndConnect = (async () => {
      const kafka = track(
        await startKafka({
          java: tools.java,
          classpath: artifacts.kafkaClasspath,
          dir: path.join(dir, 'kafka'),
          onLaunch,
        }),
      );
      timings.kafkaMs = since();
      progress(`Kafka ready at ${kafka.bootstrapServers}`);
      const connect = track(
        await startConnect({
          java: tools.java,
          classpath: artifacts.kafkaClasspath,
          pluginPath: artifacts.connectPluginPath,
          bootstrapServers: kafka.bootstrapServers,
          dir: path.join(dir, 'connect'),
          onLaunch,
          secretEnv: {
            [connectorSecretVariables.user]: 'debezium',
            [connectorSecretVariables.password]: 'dbz',
          },
        }),
      );
      timings.connectMs = since();
      progress(`Kafka Connect ready at ${connect.url}`);
      return { kafka, connect };
    })();
    const mariadbStart = (async () => {
      const mariadb = track(
        await startMariaDb({
          mariadbd: tools.mariadbd,
          mariadbInstallDb: tools.mariadbInstallDb,
          dir: path.join(dir, 'mariadb'),
          onLaunch,
        }),
      );
      timings.mariadbMs = since();
      progress(`MariaDB ready at ${mariadb.host}:${mariadb.port}`);
      return mariadb;
    })();
    const elasticsearchStart = (async () => {
      const elasticsearch = track(
        await startElasticsearch({
          home: artifacts.elasticsearchHome,
          javaHome: tools.javaHome,
          dir: path.join(dir, 'elasticsearch'),
          onLaunch,
        }),
      );
      timings.elasticsearchMs = since();
      progress(`Elasticsearch ready at ${elasticsearch.url}`);
      return elasticsearch;
    })();

    // Wait for all three, even when one fails, so nothing is left starting behind our back.
    const results = await Promise.allSettled([kafkaAndConnect, mariadbStart, elasticsearchStart]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw failed[0]?.reason;
    const [{ kafka, connect }, mariadb, elasticsearch] = results.map(
      (r) => (r as PromiseFulfilledResult<unknown>).value,
    ) as [{ kafka: KafkaServer; connect: ConnectServer }, MariaDbServer, ElasticsearchServer];
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
    };
    return {
      endpoints,
      timings: timings as StartTimings,
      kafka,
      connect,
      mariadb,
      elasticsearch,
      servers: {
        kafka: kafka.server,
        connect: connect.server,
        mariadb: mariadb.server,
        elasticsearch: elasticsearch.server,
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
  const child = spawn('sh', ['-c', script], { cwd: dir, detached: true, stdio: 'ignore' });
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
