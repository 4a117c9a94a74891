/** A Kafka Connect connector and all its tasks are RUNNING. */

import { readConnector } from '#checks/clients/connect-answers.js';
import type { Services } from '#checks/clients/services.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

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

/** No status for the connector: just created (the worker has not reported it yet), or there is no such connector. */
async function missingConnector(services: Services, name: string): Promise<Observation> {
  const list = await services.connect<string[]>('/connectors');
  const names = Array.isArray(list.body) ? list.body : [];
  if (names.includes(name)) return notYet('created, no status reported yet');
  return fail(
    names.length === 0 ? 'no connectors at all' : `no connector of that name; connectors: ${names.join(', ')}`,
    `create it from your config file: npm run connector -- apply <file>`,
  );
}

export const connectorRunning: ExpectationKind<ConnectorRunning> = {
  kind: 'connector-running',
  deadlineMs: 20_000,
  parse: (params) => ({ name: params.only(['name']).string('name') }),
  object: ({ name }) => `connector "${name}"`,
  expected: () => 'RUNNING, with every task RUNNING',
  observe: async ({ name }, { services }): Promise<Observation> => {
    const status = await readConnector<ConnectorStatus>(services, name, 'status', {
      missing: () => missingConnector(services, name),
      usable: (body) => Boolean(body?.connector),
      hint: 'see npm run logs -- kafka-connect',
    });
    if ('observation' in status) return status.observation;
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
