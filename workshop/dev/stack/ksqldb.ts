/**
 * A real ksqlDB server for the local stack, when an install is on this machine. ksqlDB's artifacts are not on Maven
 * Central, so the stack cannot download it: it uses a Confluent Platform layout (`bin/ksql-server-start`,
 * `share/java/ksqldb/`) found through CONFLUENT_HOME or in the stack's cache folder (`<cache>/confluent`). Without
 * one the stack runs without ksqlDB and says so.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, EnvironmentError } from '#core/errors.js';
import type { ServerProcess } from '#core/process.js';
import { NotYet } from '#core/wait.js';
import { defaultCacheDir } from './artifacts.js';
import { writeConfigFile } from './config-file.js';
import { extraJvmOptions, heapOptions } from './jvm-options.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePort } from './ports.js';
import { isExecutable } from './prerequisites.js';
import { forHttp } from './readiness.js';

export interface KsqlDbServer {
  server: ManagedServer;
  url: string;
  home: string;
}

export interface KsqlDbOptions {
  home: string;
  javaHome: string;
  bootstrapServers: string;
  connectUrl?: string;
  /** The Schema Registry ksqlDB reads and writes Avro schemas with (ksql.schema.registry.url). */
  schemaRegistryUrl?: string;
  dir: string;
  heapMb?: number;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
}

/** Where a ksqlDB install is looked for, in order. */
export function ksqlDbCandidates(env: NodeJS.ProcessEnv = process.env): { home: string; from: string }[] {
  const candidates: { home: string; from: string }[] = [];
  if (env.CONFLUENT_HOME) candidates.push({ home: env.CONFLUENT_HOME, from: 'CONFLUENT_HOME' });
  candidates.push({ home: path.join(defaultCacheDir(env), 'confluent'), from: 'the stack cache' });
  return candidates;
}

/** The optional servers of the stack that WORKSHOP_STACK_WITHOUT can hide. */
export const stackParts = ['ksqldb', 'schema-registry'] as const;
export type StackPart = (typeof stackParts)[number];

/**
 * The installed servers the stack must not start, from WORKSHOP_STACK_WITHOUT (comma-separated: ksqldb,
 * schema-registry): a machine with them then runs as a fresh machine does, where neither can be installed.
 */
export function stackWithout(env: NodeJS.ProcessEnv = process.env): Set<StackPart> {
  return stackPartsOf(env, 'WORKSHOP_STACK_WITHOUT', stackParts, 'leave out');
}

/** A comma-separated list of stack parts in a variable; a part the stack does not know is refused, naming them all. */
export function stackPartsOf<P extends string>(
  env: NodeJS.ProcessEnv,
  variable: string,
  known: readonly P[],
  verb: string,
): Set<P> {
  const raw = env[variable] ?? '';
  const parts = raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '');
  const unknown = parts.filter((p) => !(known as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${variable}=${JSON.stringify(raw)} names ${unknown.map((u) => `"${u}"`).join(', ')}, which the stack cannot ${verb}`,
      `name some of ${known.join(', ')}, comma-separated, or unset it`,
    );
  }
  return new Set(parts as P[]);
}

/**
 * The ksqlDB install the stack will run, or the reason there is none. A CONFLUENT_HOME that holds no ksqlDB is a
 * mistake worth an error, not a silent fall-back.
 */
export function findKsqlDb(env: NodeJS.ProcessEnv = process.env): { home: string } | { absent: string } {
  for (const { home, from } of ksqlDbCandidates(env)) {
    const start = path.join(home, 'bin', 'ksql-server-start');
    if (isExecutable(start) && existsSync(path.join(home, 'share', 'java', 'ksqldb'))) return { home };
    if (from === 'CONFLUENT_HOME') {
      throw new EnvironmentError(
        `CONFLUENT_HOME=${home} holds no ksqlDB server (no executable bin/ksql-server-start and share/java/ksqldb/)`,
        'point CONFLUENT_HOME at a Confluent Platform install, or unset it (README, The local stack)',
      );
    }
  }
  return {
    absent: `no ksqlDB install (set CONFLUENT_HOME, or put one at ${path.join(defaultCacheDir(env), 'confluent')})`,
  };
}

/** The server's properties: the learners' compose settings (processing log, replicas of one), on 127.0.0.1. */
export function ksqlDbProperties(options: {
  port: number;
  bootstrapServers: string;
  stateDir: string;
  connectUrl?: string;
  schemaRegistryUrl?: string;
}) {
  return [
    `listeners=http://127.0.0.1:${options.port}`,
    `bootstrap.servers=${options.bootstrapServers}`,
    'ksql.service.id=default_',
    `ksql.streams.state.dir=${options.stateDir}`,
    'ksql.internal.topic.replicas=1',
    'ksql.streams.replication.factor=1',
    'ksql.streams.num.standby.replicas=0',
    // One thread per query: the course's topics have one partition, and four threads a query (the default) keep a
    // laptop's cores busy polling.
    'ksql.streams.num.stream.threads=1',
    'ksql.logging.processing.topic.replication.factor=1',
    'ksql.logging.processing.topic.auto.create=true',
    'ksql.logging.processing.stream.auto.create=true',
    'ksql.logging.processing.rows.include=true',
    'confluent.support.metrics.enable=false',
    ...(options.connectUrl ? [`ksql.connect.url=${options.connectUrl}`] : []),
    ...(options.schemaRegistryUrl ? [`ksql.schema.registry.url=${options.schemaRegistryUrl}`] : []),
    '',
  ].join('\n');
}

/**
 * Logging as the learners' image configures it when KSQL_LOG4J_PROCESSING_LOG_BROKERLIST is set (ksql-images,
 * cp-ksqldb-server's log4j2.yaml.template): the server's own lines on stdout, and the processing log (logger
 * `processing`, errors only) to its Kafka topic as structured JSON, where a check reads why records failed.
 */
export function ksqlDbLog4j2(bootstrapServers: string): string {
  return [
    'Configuration:',
    '  Appenders:',
    '    Console:',
    '      name: stdout',
    '      PatternLayout:',
    '        pattern: "[%d] %p %m (%c)%n"',
    '    Kafka:',
    '      name: processing_log',
    '      topic: default_ksql_processing_log',
    '      StructuredJsonLayout:',
    '        Property:',
    '          - name: schemas.enable',
    '            value: false',
    '      Property:',
    '        - name: bootstrap.servers',
    `          value: ${bootstrapServers}`,
    '  Loggers:',
    '    Root:',
    '      level: info',
    '      AppenderRef:',
    '        - ref: stdout',
    '    Logger:',
    '      - name: processing',
    '        level: error',
    '        AppenderRef:',
    '          - ref: processing_log',
    '      - name: org.reflections',
    '        level: error',
    '',
  ].join('\n');
}

export async function startKsqlDb(options: KsqlDbOptions): Promise<KsqlDbServer> {
  const port = await freePort();
  const dir = options.dir;
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  const propertiesPath = writeConfigFile(
    dir,
    'ksql-server.properties',
    ksqlDbProperties({
      port,
      bootstrapServers: options.bootstrapServers,
      stateDir: path.join(dir, 'state'),
      connectUrl: options.connectUrl,
      schemaRegistryUrl: options.schemaRegistryUrl,
    }),
  );
  const log4jPath = writeConfigFile(dir, 'log4j2.yaml', ksqlDbLog4j2(options.bootstrapServers));
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    name: 'ksqlDB',
    launch: {
      command: path.join(options.home, 'bin', 'ksql-server-start'),
      args: [propertiesPath],
      logPath: path.join(dir, 'ksqldb.log'),
      env: {
        ...process.env,
        JAVA_HOME: options.javaHome,
        KSQL_HEAP_OPTS: heapOptions(options.heapMb ?? 384).join(' '),
        KSQL_OPTS: extraJvmOptions().join(' '),
        LOG_DIR: dir,
        KSQL_LOG4J_OPTS: `-Dlog4j2.configurationFile=file:${log4jPath}`,
        // No GC log file and no JMX agent: nothing here reads them.
        KSQL_GC_LOG_OPTS: ' ',
        KSQL_JMX_OPTS: ' ',
      },
    },
    // Ready when /info says RUNNING (every other endpoint answers 503 until then).
    ready: forHttp(`${url}/info`, {
      what: `ksqlDB at ${url} to report RUNNING`,
      status: () => true,
      body: (json, status) => {
        const serverStatus = (json as { KsqlServerInfo?: { serverStatus?: string } } | undefined)?.KsqlServerInfo
          ?.serverStatus;
        return serverStatus === 'RUNNING' ? true : new NotYet(`HTTP ${status}, serverStatus ${serverStatus ?? 'none'}`);
      },
    }),
    timeoutMs: options.timeoutMs ?? 120_000,
    onLaunch: options.onLaunch,
  });
  return { server, url, home: options.home };
}
