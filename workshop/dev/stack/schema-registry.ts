/**
 * A real Confluent Schema Registry for the local stack, when the Confluent Platform install that holds ksqlDB has
 * one too (`bin/schema-registry-start`, `share/java/schema-registry/`). Like ksqlDB it is not on Maven Central, so
 * the stack cannot download it; without one the stack says so and the registry tests use the stand-in.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServerProcess } from '#core/process.js';
import { writeConfigFile } from './config-file.js';
import { extraJvmOptions, heapOptions } from './jvm-options.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { forHttp } from './readiness.js';

export interface SchemaRegistryServer {
  server: ManagedServer;
  url: string;
}

export interface SchemaRegistryOptions {
  home: string;
  javaHome: string;
  bootstrapServers: string;
  dir: string;
  port: number;
  heapMb?: number;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
}

/** The registry in a Confluent Platform install, or why there is none. */
export function findSchemaRegistry(home: string): { home: string } | { absent: string } {
  const start = path.join(home, 'bin', 'schema-registry-start');
  if (existsSync(start) && existsSync(path.join(home, 'share', 'java', 'schema-registry'))) return { home };
  return { absent: `the Confluent Platform install at ${home} has no Schema Registry (bin/schema-registry-start)` };
}

/** The learners' registry settings (docker-compose.yml), on 127.0.0.1 and this stack's Kafka. */
export function schemaRegistryProperties(options: { port: number; bootstrapServers: string }): string {
  return [
    `listeners=http://127.0.0.1:${options.port}`,
    `kafkastore.bootstrap.servers=PLAINTEXT://${options.bootstrapServers}`,
    'kafkastore.topic=_schemas',
    'kafkastore.topic.replication.factor=1',
    '',
  ].join('\n');
}

export async function startSchemaRegistry(options: SchemaRegistryOptions): Promise<SchemaRegistryServer> {
  const dir = options.dir;
  const propertiesPath = writeConfigFile(dir, 'schema-registry.properties', schemaRegistryProperties(options));
  const url = `http://127.0.0.1:${options.port}`;
  const server = await startServer({
    name: 'Schema Registry',
    launch: {
      command: path.join(options.home, 'bin', 'schema-registry-start'),
      args: [propertiesPath],
      logPath: path.join(dir, 'schema-registry.out'),
      env: {
        ...process.env,
        JAVA_HOME: options.javaHome,
        LOG_DIR: dir,
        SCHEMA_REGISTRY_HEAP_OPTS: heapOptions(options.heapMb ?? 160).join(' '),
        SCHEMA_REGISTRY_OPTS: extraJvmOptions().join(' '),
        // No JMX agent: nothing here reads it.
        SCHEMA_REGISTRY_JMX_OPTS: ' ',
      },
    },
    // Ready when GET /subjects answers 200: the registry has read its topic and can serve.
    ready: forHttp(`${url}/subjects`, { what: `the Schema Registry at ${url} to list its subjects`, intervalMs: 200 }),
    timeoutMs: options.timeoutMs ?? 120_000,
    onLaunch: options.onLaunch,
  });
  return { server, url };
}
