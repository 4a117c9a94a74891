/** A Kafka Connect connector and all its tasks are RUNNING. */

import { connectReason } from '#checks/clients/connect-answers.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { EnvironmentError } from '#core/errors.js';

interface ConnectorRunning {
  name: string;
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** The first line of a Java stack trace that says something: the exception's message. */
export function traceHeadline(trace: string | undefined): string {
  if (!trace) return 'no trace';
  const lines = trace.split('\n').map((line) => line.trim());
  const caused = lines.filter((line) => line.startsWith('Caused by:')).pop();
  return (caused ?? lines[0] ?? '').replace(/^Caused by:\s*/, '').slice(0, 300);
}

export const connectorRunning: ExpectationKind<ConnectorRunning> = {
  kind: 'connector-running',
  deadlineMs: 20_000,
  parse: (params) => ({ name: params.only(['name']).string('name') }),
  object: ({ name }) => `connector "${name}"`,
  expected: () => 'RUNNING, with every task RUNNING',
  observe: async ({ name }, { services }): Promise<Observation> => {
    const status = await services.connect<ConnectorStatus>(`/connectors/${encodeURIComponent(name)}/status`);
    if (status.status === 404) {
      const list = await services.connect<string[]>('/connectors');
      const names = Array.isArray(list.body) ? list.body : [];
      // Just created: the worker has not reported its status yet.
      if (names.includes(name)) return notYet('created, no status reported yet');
      return fail(
        names.length === 0 ? 'no connectors at all' : `no connector of that name; connectors: ${names.join(', ')}`,
        `create it from your config file: npm run connector -- apply <file>`,
      );
    }
    // 409: the workers are rebalancing; anything else unexpected is the worker's trouble, not the learner's.
    if (status.status === 409) return notYet('Kafka Connect is rebalancing');
    // A worker busy with a config change just made can answer 500 for a moment: look again, and call it the
    // worker's trouble only if it lasts.
    if (status.status >= 500) {
      return {
        ...notYet(
          `Kafka Connect answered GET /connectors/${name}/status with HTTP ${status.status}${connectReason(status.body)}`,
        ),
        atDeadline: 'environment-error',
      };
    }
    if (status.status !== 200 || !status.body?.connector) {
      throw new EnvironmentError(
        `Kafka Connect answered GET /connectors/${name}/status with HTTP ${status.status}`,
        'see npm run logs -- kafka-connect',
      );
    }
    const { connector, tasks } = status.body;
    if (connector.state === 'FAILED') return fail(`FAILED (${traceHeadline(connector.trace)})`);
    if (connector.state === 'PAUSED' || connector.state === 'STOPPED') {
      return fail(connector.state, `resume it: npm run connector -- resume ${name}`);
    }
    const failed = tasks.find((task) => task.state === 'FAILED');
    if (failed) {
      return fail(
        `${connector.state}, but task ${failed.id} FAILED (${traceHeadline(failed.trace)})`,
        `fix the cause, then restart it: npm run connector -- restart ${name}`,
      );
    }
    if (connector.state !== 'RUNNING') return notYet(connector.state);
    if (tasks.length === 0) return notYet('RUNNING, no task started yet');
    const notRunning = tasks.filter((task) => task.state !== 'RUNNING');
    if (notRunning.length > 0) {
      return notYet(`RUNNING; task(s) ${notRunning.map((t) => `${t.id} ${t.state}`).join(', ')}`);
    }
    return pass(`RUNNING with ${tasks.length} task(s) RUNNING`);
  },
};
