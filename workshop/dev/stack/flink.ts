/**
 * Apache Flink for the local stack, when asked (WORKSHOP_STACK_WITH=flink): a standalone session cluster (a JobManager
 * and a TaskManager) and the SQL Gateway, from Maven Central's jars (flink-pom.xml; flink-dist is not there, so the
 * stack does what its scripts do: asks Flink's BashJavaUtils for each process's memory flags, then starts the JVMs).
 * Everything on 127.0.0.1 and free ports.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EnvironmentError } from '#core/errors.js';
import type { ServerProcess } from '#core/process.js';
import { NotYet } from '#core/wait.js';
import { defaultCacheDir, pomCacheKey, runStackMaven } from './artifacts.js';
import { writeConfigFile } from './config-file.js';
import { extraJvmOptions } from './jvm-options.js';
import { stackPartsOf } from './ksqldb.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePorts } from './ports.js';
import { forHttp } from './readiness.js';

const run = promisify(execFile);

export const flinkPomPath = fileURLToPath(new URL('./flink-pom.xml', import.meta.url));

/** The versions pinned in flink-pom.xml: Flink's, and its Kafka SQL connector's. */
export function flinkVersions(pom = readFileSync(flinkPomPath, 'utf8')): { flink: string; kafkaConnector: string } {
  const property = (name: string): string => {
    const match = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(pom);
    if (!match?.[1]) throw new Error(`${flinkPomPath} has no <${name}> property`);
    return match[1];
  };
  return { flink: property('flink.version'), kafkaConnector: property('flink.kafka.connector.version') };
}

/**
 * The classpath of Flink's jars, resolved by Maven into the user's Maven repository; the list is cached in a folder
 * keyed by the pom's content, so a warm start runs no Maven.
 */
export async function resolveFlinkClasspath(options: {
  mvn: string;
  javaHome: string;
  cacheDir?: string;
  mavenRepo?: string;
  timeoutMs?: number;
}): Promise<{ classpath: string; resolvedNow: boolean }> {
  const cache = path.join(
    options.cacheDir ?? defaultCacheDir(),
    `flink-${pomCacheKey(flinkPomPath, options.mavenRepo)}`,
  );
  const listFile = path.join(cache, 'flink.classpath');
  const cached = existsSync(listFile) ? readFileSync(listFile, 'utf8').trim() : '';
  if (cached !== '' && cached.split(path.delimiter).every((jar) => existsSync(jar))) {
    return { classpath: cached, resolvedNow: false };
  }
  await runStackMaven(flinkPomPath, cache, options, "Flink's jars");
  return { classpath: readFileSync(listFile, 'utf8').trim(), resolvedNow: true };
}

/**
 * What Flink's own config.yaml gives every JVM on Java 17 (env.java.opts.all): the JDK packages its serializers and
 * network stack reach into.
 */
const javaModuleOptions = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  ...['java.lang', 'java.net', 'java.io', 'java.nio', 'sun.nio.ch', 'java.lang.reflect', 'java.text', 'java.time']
    .concat(['java.util', 'java.util.concurrent', 'java.util.concurrent.atomic', 'java.util.concurrent.locks'])
    .map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
];

export interface FlinkPorts {
  /** The JobManager's REST API and web UI. */
  rest: number;
  /** The JobManager's RPC endpoint, which the TaskManager and the gateway's clients register with. */
  rpc: number;
  /** The SQL Gateway's REST endpoint. */
  gateway: number;
}

/**
 * The cluster's config.yaml: every address 127.0.0.1, the learners' memory sizes (docker-compose.yml), one
 * TaskManager with a slot for each of the course's jobs and the learner's queries.
 */
export function flinkConfig(ports: FlinkPorts, dir: string): string {
  return [
    'jobmanager.rpc.address: 127.0.0.1',
    `jobmanager.rpc.port: ${ports.rpc}`,
    'jobmanager.bind-host: 127.0.0.1',
    'jobmanager.memory.process.size: 1024m',
    'taskmanager.host: 127.0.0.1',
    'taskmanager.bind-host: 127.0.0.1',
    'taskmanager.memory.process.size: 1536m',
    'taskmanager.numberOfTaskSlots: 8',
    'parallelism.default: 1',
    // A job that meets a passing failure (a topic still being deleted and made again, a broker restarting) starts
    // again instead of ending FAILED: without checkpoints Flink restarts nothing by default. The learners' cluster
    // has the same (docker-compose.yml).
    'restart-strategy.type: fixed-delay',
    'restart-strategy.fixed-delay.attempts: 10',
    'restart-strategy.fixed-delay.delay: 2 s',
    'rest.address: 127.0.0.1',
    'rest.bind-address: 127.0.0.1',
    `rest.port: ${ports.rest}`,
    'execution.target: remote',
    'sql-gateway.endpoint.rest.address: 127.0.0.1',
    'sql-gateway.endpoint.rest.bind-address: 127.0.0.1',
    `sql-gateway.endpoint.rest.port: ${ports.gateway}`,
    `io.tmp.dirs: ${path.join(dir, 'tmp')}`,
    `web.tmpdir: ${path.join(dir, 'web')}`,
    '',
  ].join('\n');
}

/** Each process's own lines on its standard output, which the stack keeps as its log. */
const log4jProperties = [
  'rootLogger.level = INFO',
  'rootLogger.appenderRef.console.ref = console',
  'appender.console.name = console',
  'appender.console.type = CONSOLE',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c - %m%n',
  // The Kafka clients print their whole configuration at every start of a source or sink.
  'logger.kafka.name = org.apache.kafka',
  'logger.kafka.level = WARN',
  '',
].join('\n');

/**
 * The JVM flags and dynamic properties Flink computes for a process from its configuration, as its start scripts
 * ask for them (BashJavaUtils GET_JM_RESOURCE_PARAMS / GET_TM_RESOURCE_PARAMS): the first result line holds the JVM
 * flags, the second the `-D key=value` properties.
 */
export async function resourceParams(
  java: string,
  classpath: string,
  confDir: string,
  which: 'GET_JM_RESOURCE_PARAMS' | 'GET_TM_RESOURCE_PARAMS',
): Promise<{ jvm: string[]; dynamic: string[] }> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      java,
      ['-cp', classpath, 'org.apache.flink.runtime.util.bash.BashJavaUtils', which, '--configDir', confDir],
      { timeout: 60_000 },
    ));
  } catch (error) {
    const { stdout: out = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new EnvironmentError(
      `Flink could not compute its memory settings (${which}):\n${`${out}\n${stderr}`.trim()}`,
    );
  }
  return parseResourceParams(stdout, which);
}

export function parseResourceParams(stdout: string, which: string): { jvm: string[]; dynamic: string[] } {
  const prefix = 'BASH_JAVA_UTILS_EXEC_RESULT:';
  const results = stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
  if (results.length < 2) {
    throw new EnvironmentError(`Flink's BashJavaUtils ${which} printed no memory settings:\n${stdout.trim()}`);
  }
  const words = (line: string) => line.split(/\s+/).filter((word) => word !== '');
  return { jvm: words(results[0] as string), dynamic: words(results[1] as string) };
}

export interface FlinkServers {
  jobManager: ManagedServer;
  taskManager: ManagedServer;
  gateway: ManagedServer;
  /** The JobManager's REST API and web UI. */
  url: string;
  /** The SQL Gateway's REST API. */
  sqlGatewayUrl: string;
}

export interface FlinkOptions {
  java: string;
  classpath: string;
  dir: string;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
  /** Told as each of the three is ready. */
  onReady?: (message: string) => void;
}

/** Each process's main class and log file. */
const entryPoints = {
  jobManager: { main: 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint', log: 'jobmanager.log' },
  taskManager: { main: 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner', log: 'taskmanager.log' },
  gateway: { main: 'org.apache.flink.table.gateway.SqlGateway', log: 'sql-gateway.log' },
};

/** Starts the JobManager, then the TaskManager and the SQL Gateway beside each other; a failure stops what started. */
export async function startFlink(options: FlinkOptions): Promise<FlinkServers> {
  const { dir } = options;
  const [rest, rpc, gateway] = (await freePorts(3)) as [number, number, number];
  const confDir = path.join(dir, 'conf');
  writeConfigFile(confDir, 'config.yaml', flinkConfig({ rest, rpc, gateway }, dir));
  const log4jPath = writeConfigFile(confDir, 'log4j2.properties', log4jProperties);
  for (const sub of ['tmp', 'web']) mkdirSync(path.join(dir, sub), { recursive: true });
  const [jmParams, tmParams] = await Promise.all([
    resourceParams(options.java, options.classpath, confDir, 'GET_JM_RESOURCE_PARAMS'),
    resourceParams(options.java, options.classpath, confDir, 'GET_TM_RESOURCE_PARAMS'),
  ]);
  const url = `http://127.0.0.1:${rest}`;
  const sqlGatewayUrl = `http://127.0.0.1:${gateway}`;
  const common = [...extraJvmOptions(), ...javaModuleOptions, `-Dlog4j.configurationFile=file:${log4jPath}`];
  const env = { ...process.env, FLINK_CONF_DIR: confDir };
  const launch = (name: keyof typeof entryPoints, jvm: string[], args: string[]) => ({
    command: options.java,
    args: [...jvm, ...common, '-cp', options.classpath, entryPoints[name].main, ...args],
    logPath: path.join(dir, entryPoints[name].log),
    env,
    cwd: dir,
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const overview = async () => {
    const response = await fetch(`${url}/overview`, { signal: AbortSignal.timeout(2_000) });
    return (await response.json()) as { taskmanagers?: number };
  };
  const jobManager = await startServer({
    name: 'Flink JobManager',
    launch: launch('jobManager', jmParams.jvm, ['--configDir', confDir, ...jmParams.dynamic]),
    ready: forHttp(`${url}/overview`, { what: `the Flink JobManager at ${url} to answer /overview` }),
    timeoutMs,
    onLaunch: options.onLaunch,
  });
  options.onReady?.(`Flink JobManager ready at ${url}`);
  const started: ManagedServer[] = [jobManager];
  try {
    // Both awaited even when one fails, so neither is left starting behind our back.
    const [taskManagerStart, gatewayStart] = await Promise.allSettled([
      startServer({
        name: 'Flink TaskManager',
        launch: launch('taskManager', tmParams.jvm, ['--configDir', confDir, ...tmParams.dynamic]),
        ready: {
          what: `a TaskManager to register with the JobManager at ${url}`,
          probe: async () => {
            const { taskmanagers = 0 } = await overview();
            return taskmanagers > 0 ? true : new NotYet('no TaskManager registered yet');
          },
        },
        timeoutMs,
        onLaunch: options.onLaunch,
      }).then((server) => {
        started.push(server);
        options.onReady?.('Flink TaskManager registered');
        return server;
      }),
      startServer({
        name: 'Flink SQL Gateway',
        launch: launch('gateway', ['-Xms256m', '-Xmx384m'], []),
        ready: forHttp(`${sqlGatewayUrl}/v3/info`, {
          what: `the Flink SQL Gateway at ${sqlGatewayUrl} to answer /v3/info`,
          body: (json) =>
            (json as { productName?: string } | undefined)?.productName === 'Apache Flink'
              ? true
              : new NotYet('no Apache Flink product name in /v3/info'),
        }),
        timeoutMs,
        onLaunch: options.onLaunch,
      }).then((server) => {
        started.push(server);
        options.onReady?.(`Flink SQL Gateway ready at ${sqlGatewayUrl}`);
        return server;
      }),
    ]);
    if (taskManagerStart.status === 'rejected') throw taskManagerStart.reason;
    if (gatewayStart.status === 'rejected') throw gatewayStart.reason;
    return { jobManager, taskManager: taskManagerStart.value, gateway: gatewayStart.value, url, sqlGatewayUrl };
  } catch (error) {
    for (const server of started.reverse()) await server.stop();
    throw error;
  }
}

/** The servers the stack starts only when asked, by WORKSHOP_STACK_WITH. */
export const optInParts = ['flink'] as const;
export type OptInPart = (typeof optInParts)[number];

/**
 * What the stack starts beyond its usual servers, from WORKSHOP_STACK_WITH (comma-separated: flink). Flink costs
 * about 1.4 GB and a start of 10-15 s, which a run of the ksqlDB steps does not need.
 */
export function stackWith(env: NodeJS.ProcessEnv = process.env): Set<OptInPart> {
  return stackPartsOf(env, 'WORKSHOP_STACK_WITH', optInParts, 'add');
}
