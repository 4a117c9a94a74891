/** A single-node Kafka broker in KRaft mode (combined broker and controller), from the jars Maven resolved. */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { kafkaClient } from '#core/kafka-client.js';
import type { ServerProcess } from '#core/process.js';
import { NotYet } from '#core/wait.js';
import { writeConfigFile } from './config-file.js';
import { extraJvmOptions, heapOptions } from './jvm-options.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePorts } from './ports.js';
import type { Readiness } from './readiness.js';

const run = promisify(execFile);

export interface KafkaServer {
  server: ManagedServer;
  bootstrapServers: string;
}

export interface KafkaOptions {
  java: string;
  classpath: string;
  dir: string;
  heapMb?: number;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64; Kafka's own generator avoids a leading dash. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function log4j2Properties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    'logger.kafka.name = org.apache.kafka',
    'logger.kafka.level = INFO',
    '',
  ].join('\n');
}

/**
 * For a JVM run from Kafka's jars (the broker, its storage tool, Connect): writes its log4j2 configuration into `dir`,
 * logging to `logPath`, and returns its options (heap, the stack's options, that configuration, the classpath); the
 * main class and its arguments follow them.
 */
export function kafkaJvmOptions(options: {
  dir: string;
  logPath: string;
  heapMb?: number;
  classpath: string;
}): string[] {
  const log4jPath = writeConfigFile(options.dir, 'log4j2.properties', log4j2Properties(options.logPath));
  return [
    ...heapOptions(options.heapMb ?? 512),
    ...extraJvmOptions(),
    `-Dlog4j2.configurationFile=${log4jPath}`,
    '-cp',
    options.classpath,
  ];
}

/** A single node, broker and controller in one (KRaft), on 127.0.0.1, every internal topic with one replica. */
function kafkaProperties(options: { port: number; controllerPort: number; dataDir: string }): string {
  const { port, controllerPort } = options;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${options.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

export async function startKafka(options: KafkaOptions): Promise<KafkaServer> {
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const dir = options.dir;
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logPath = path.join(dir, 'kafka.log');
  const propertiesPath = writeConfigFile(dir, 'server.properties', kafkaProperties({ port, controllerPort, dataDir }));
  const jvm = kafkaJvmOptions({ dir, logPath, heapMb: options.heapMb, classpath: options.classpath });
  try {
    await run(options.java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propertiesPath], {
      timeout: 60_000,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Kafka's storage could not be formatted in ${dir}:\n${stdout}${stderr}`);
  }

  const bootstrapServers = `127.0.0.1:${port}`;
  const server = await startServer({
    name: 'Kafka',
    launch: { command: options.java, args: [...jvm, 'kafka.Kafka', propertiesPath], logPath },
    ready: kafkaReadiness(bootstrapServers),
    timeoutMs: options.timeoutMs ?? 60_000,
    onLaunch: options.onLaunch,
  });
  return { server, bootstrapServers };
}

/** Ready when the broker answers a metadata request and lists itself, and every partition answers for its offsets. */
function kafkaReadiness(bootstrapServers: string): Readiness {
  const kafka = kafkaClient({
    clientId: 'workshop-stack-readiness',
    brokers: [bootstrapServers],
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  return {
    what: `Kafka at ${bootstrapServers} to answer a metadata request, and every partition its offsets`,
    intervalMs: 250,
    probe: async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) return new NotYet('no broker listed yet');
        // After a restart the broker answers before it leads its partitions again: a client without retries that
        // came in then would be told "not the leader".
        const { topics } = await admin.fetchTopicMetadata();
        const leaderless = topics.flatMap((t) =>
          t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`),
        );
        if (leaderless.length > 0) {
          return new NotYet(`partitions without a leader yet: ${leaderless.slice(0, 5).join(', ')}`);
        }
        // Metadata may name this broker the leader a moment before it acts as one ("This server is not the leader
        // for that topic-partition"): ready once every partition answers an offsets request.
        for (const topic of topics) await admin.fetchTopicOffsets(topic.name);
        return true;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
