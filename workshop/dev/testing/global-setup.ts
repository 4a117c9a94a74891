/**
 * Starts the local stack once for the integration suites and stops it after them. WORKSHOP_TEST_STACK decides what
 * happens when it cannot start:
 *   local (default)  missing prerequisites skip the suites, visibly, with the reason; a failed start fails the run
 *   required         (CI) missing prerequisites fail the run too
 *   none             skip the suites without trying
 */
import type { TestProject } from 'vitest/node';
import { WorkshopError } from '#core/errors.js';
import { signalGroup } from '#core/process.js';
import { type LocalStack, startLocalStack } from '#workshop/dev/stack/local-stack.js';
import { MissingPrerequisites } from '#workshop/dev/stack/prerequisites.js';
import { kitProcesses } from './kit-processes.js';
import type { ProvidedStack } from './stack-context.js';
import { serveStackControl } from './stack-control.js';

function announce(message: string): void {
  process.stderr.write(`\n[local stack] ${message}\n`);
}

export default async function setup(project: TestProject) {
  const mode = process.env.WORKSHOP_TEST_STACK ?? 'local';
  if (!['local', 'required', 'none'].includes(mode)) {
    throw new Error(`WORKSHOP_TEST_STACK=${mode} is not one of local, required, none`);
  }
  const provide = (value: ProvidedStack) => project.provide('localStack', value);
  if (mode === 'none') {
    const reason = 'WORKSHOP_TEST_STACK=none: the local stack was not started';
    announce(`SKIPPING the integration suites: ${reason}`);
    provide({ skipReason: reason });
    return;
  }
  let stack: LocalStack;
  try {
    // Flink comes from Maven Central, so it runs on every machine: its suites never skip for want of it.
    stack = await startLocalStack({ onProgress: (message) => announce(message), with: ['flink'] });
  } catch (error) {
    if (error instanceof MissingPrerequisites && mode !== 'required') {
      const reason = `no local stack (${error.missing.join('; ')})`;
      announce(`SKIPPING the integration suites: ${reason}`);
      provide({ skipReason: reason });
      return;
    }
    const detail = error instanceof WorkshopError && error.hint ? `${error.message}\n${error.hint}` : error;
    announce(`could not start, so the integration suites fail:\n${detail instanceof Error ? detail.message : detail}`);
    throw error;
  }
  const { endpoints, timings } = stack;
  announce(
    [
      `ready in ${(timings.totalMs / 1000).toFixed(1)} s (${timings.resolvedNow ? 'Maven resolved the jars' : 'warm cache'}):`,
      `  Kafka          ${endpoints.kafka.bootstrapServers}`,
      `  Kafka Connect  ${endpoints.connect.url}`,
      `  MariaDB        ${endpoints.mariadb.host}:${endpoints.mariadb.port}`,
      `  Elasticsearch  ${endpoints.elasticsearch.url}`,
      `  ksqlDB         ${'url' in endpoints.ksqldb ? endpoints.ksqldb.url : `ABSENT, the ksqlDB suites use the stand-in or are skipped: ${endpoints.ksqldb.absent}`}`,
      `  Schema Reg.    ${'url' in endpoints.schemaRegistry ? endpoints.schemaRegistry.url : `ABSENT, the registry suites use the stand-in: ${endpoints.schemaRegistry.absent}`}`,
      `  Flink          ${'url' in endpoints.flink ? `${endpoints.flink.url}, SQL Gateway ${endpoints.flink.sqlGatewayUrl}` : endpoints.flink.absent}`,
      `  Kibana         ${endpoints.kibana.url} (a stand-in: Kibana cannot run here)`,
    ].join('\n'),
  );
  const control = await serveStackControl(stack);
  provide({ endpoints, controlUrl: control.url });
  return async () => {
    // Nothing a test started may outlive the run: a producer left by a reset that failed would retry a broker that
    // is gone for as long as the machine runs.
    const left = kitProcesses();
    for (const p of left) signalGroup(p.pid, 'SIGKILL');
    await control.close();
    await stack.stop();
    announce('stopped');
    if (left.length > 0) {
      throw new Error(
        `processes the tests started were still running at the end (now killed): ${left
          .map((p) => `${p.title} (pid ${p.pid}, state ${p.stateDir})`)
          .join('; ')}: a suite must stop what it starts, whatever its reset says`,
      );
    }
  };
}
