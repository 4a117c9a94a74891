/**
 * How an integration suite reaches the local stack that the global setup started:
 *
 *   describeWithStack('Kafka', (stack) => { it('...', async () => { ... stack().kafka.bootstrapServers ... }) })
 *
 * Where no stack could be started the suite is reported as skipped, its title carrying the reason.
 */
import { describe, inject } from 'vitest';
import type { LocalStackEndpoints, StackServerKey } from '#workshop/dev/stack/local-stack.js';
import { controlServer } from './stack-control.js';

export type ProvidedStack = { endpoints: LocalStackEndpoints; controlUrl: string } | { skipReason: string };

/** The shared stack, and a way to stop and start its servers. */
export interface StackHandle extends LocalStackEndpoints {
  stopServer(key: StackServerKey): Promise<void>;
  /** Starts a stopped server again and waits until it is ready. */
  startServer(key: StackServerKey): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: ProvidedStack;
  }
}

export function describeWithStack(name: string, body: (stack: () => StackHandle) => void): void {
  const provided = inject('localStack');
  const skipReason = 'skipReason' in provided ? provided.skipReason : undefined;
  const title = skipReason ? `${name} [skipped: ${skipReason}]` : name;
  describe.skipIf(skipReason !== undefined)(title, () => {
    body(() => {
      if (!('endpoints' in provided)) throw new Error(`no local stack: ${skipReason}`);
      const { endpoints, controlUrl } = provided;
      return {
        ...endpoints,
        stopServer: (key) => controlServer(controlUrl, key, 'stop'),
        startServer: (key) => controlServer(controlUrl, key, 'start'),
      };
    });
  });
}

/**
 * A suite that needs the real ksqlDB of the local stack: skipped, with the reason, where none is installed (the
 * stand-in suites cover the checks' ksqlDB side there).
 */
export function describeWithKsqlDb(
  name: string,
  body: (stack: () => StackHandle & { ksqldbUrl: string }) => void,
): void {
  const provided = inject('localStack');
  const absent =
    'skipReason' in provided
      ? provided.skipReason
      : 'absent' in provided.endpoints.ksqldb
        ? `ksqlDB absent: ${provided.endpoints.ksqldb.absent}`
        : undefined;
  describeWithStack(absent && !('skipReason' in provided) ? `${name} [skipped: ${absent}]` : name, (stack) => {
    describe.skipIf(absent !== undefined)(name, () => {
      body(() => {
        const handle = stack();
        if (!('url' in handle.ksqldb)) throw new Error(`no ksqlDB: ${handle.ksqldb.absent}`);
        return { ...handle, ksqldbUrl: handle.ksqldb.url };
      });
    });
  });
}

/** A suite that needs the real Schema Registry and ksqlDB: skipped, with the reason, where either is not installed. */
export function describeWithSchemaRegistry(
  name: string,
  body: (stack: () => StackHandle & { ksqldbUrl: string; schemaRegistryUrl: string }) => void,
): void {
  const provided = inject('localStack');
  const absent =
    'skipReason' in provided
      ? undefined
      : 'absent' in provided.endpoints.schemaRegistry
        ? `Schema Registry absent: ${provided.endpoints.schemaRegistry.absent}`
        : undefined;
  describeWithKsqlDb(absent ? `${name} [skipped: ${absent}]` : name, (stack) => {
    describe.skipIf(absent !== undefined)(name, () => {
      body(() => {
        const handle = stack();
        if (!('url' in handle.schemaRegistry)) throw new Error(`no Schema Registry: ${handle.schemaRegistry.absent}`);
        return { ...handle, schemaRegistryUrl: handle.schemaRegistry.url };
      });
    });
  });
}

/**
 * A suite that needs the stack's Apache Flink. The test stack always starts it (its jars are on Maven Central), so
 * a stack without it fails the suite rather than skipping it.
 */
export function describeWithFlink(
  name: string,
  body: (stack: () => StackHandle & { flinkUrl: string; flinkSqlGatewayUrl: string }) => void,
): void {
  describeWithStack(name, (stack) => {
    body(() => {
      const handle = stack();
      if (!('url' in handle.flink)) throw new Error(`the test stack has no Flink: ${handle.flink.absent}`);
      return { ...handle, flinkUrl: handle.flink.url, flinkSqlGatewayUrl: handle.flink.sqlGatewayUrl };
    });
  });
}
