/**
 * `npm run connector -- apply <file>` creates or updates a connector from a JSON file, on every platform, so nobody
 * needs curl; `status`, `resume`, `restart` and `delete` take a connector's name.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Services } from '#checks/clients/services.js';
import { traceHeadline } from '#checks/kinds/connector-running.js';
import { applyConnector, removeConnector } from '#checks/resources/index.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode, UsageError, WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';

const actions = ['apply', 'status', 'resume', 'restart', 'delete'] as const;

/** How long status waits for a task being assigned or restarted before it answers "not yet". */
const settleMs = 15_000;

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/**
 * What `status` exits with, and says when the connector is not working: 0 when it and every task are RUNNING; 1 when
 * it or a task FAILED (Connect's reason is printed above) or it is PAUSED or STOPPED, with the command that gets it
 * going; 4 (not yet) while a task is UNASSIGNED or RESTARTING, or it has no task yet, which passes by itself.
 */
export function statusExit(target: string, state: string, tasks: { id: number; state: string }[]): number {
  const failed = [
    state === 'FAILED' ? 'the connector' : '',
    ...tasks.filter((t) => t.state === 'FAILED').map((t) => `task ${t.id}`),
  ].filter(Boolean);
  if (failed.length > 0) {
    process.stderr.write(
      `${failed.join(' and ')} FAILED: fix what the reason above says (often the config: npm run connector -- apply <file>), then npm run connector -- restart ${target}\n`,
    );
    return ExitCode.failure;
  }
  if (state === 'PAUSED' || state === 'STOPPED') {
    process.stderr.write(`the connector is ${state}: npm run connector -- resume ${target} starts it again\n`);
    return ExitCode.failure;
  }
  if (state !== 'RUNNING' || tasks.length === 0 || tasks.some((t) => t.state !== 'RUNNING')) {
    process.stderr.write('not running yet (a task is being assigned or restarted): look again in a moment\n');
    return ExitCode.notYet;
  }
  return ExitCode.ok;
}

export async function connectorCommand({ positionals, usageError }: CommandLine<unknown>): Promise<number> {
  const [action, target] = positionals;
  if (!action || !target || positionals.length !== 2 || !(actions as readonly string[]).includes(action)) {
    throw usageError(`give an action (${actions.join(', ')}) and a connector file or name`);
  }
  const services = new Services(loadConfig());
  const name = encodeURIComponent(target);
  switch (action) {
    case 'apply': {
      // npm runs scripts from the package's folder; a relative path means the folder the learner typed it in.
      const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), target);
      if (!existsSync(file)) throw new UsageError(`no file ${file}: give the path of a connector JSON file`);
      process.stdout.write(`${await applyConnector(services, file)}\n`);
      return ExitCode.ok;
    }
    case 'delete': {
      const done = await removeConnector(services, target);
      process.stdout.write(done.length > 0 ? `${done.join('\n')}\n` : `no connector "${target}"\n`);
      return ExitCode.ok;
    }
    case 'resume':
    case 'restart': {
      const answer =
        action === 'resume'
          ? await services.connect(`/connectors/${name}/resume`, { method: 'PUT' })
          : await services.connect(`/connectors/${name}/restart?includeTasks=true&onlyFailed=false`, {
              method: 'POST',
            });
      if (answer.status === 404)
        throw new WorkshopError(`no connector "${target}"`, 'npm run connector -- status <name>');
      if (answer.status >= 400) {
        throw new WorkshopError(`Kafka Connect could not ${action} "${target}": HTTP ${answer.status}`);
      }
      process.stdout.write(`connector "${target}": ${action === 'resume' ? 'resumed' : 'restarted with its tasks'}\n`);
      return ExitCode.ok;
    }
    default: {
      // A connector applied a moment ago has its task assigned within seconds: wait that long before "not yet".
      // A connector that FAILED, or is PAUSED or STOPPED, says so at once, tasks or none.
      const settled = (body?: ConnectorStatus) =>
        !!body?.connector &&
        (['FAILED', 'PAUSED', 'STOPPED'].includes(body.connector.state) ||
          (body.connector.state !== 'UNASSIGNED' &&
            body.connector.state !== 'RESTARTING' &&
            body.tasks.length > 0 &&
            body.tasks.every((t) => t.state !== 'UNASSIGNED' && t.state !== 'RESTARTING')));
      let status = await services.connect<ConnectorStatus>(`/connectors/${name}/status`);
      if (status.status === 200 && !settled(status.body)) {
        status = await waitFor({
          what: `connector "${target}" to have its task assigned`,
          timeoutMs: settleMs,
          intervalMs: 500,
          probe: async () => {
            const now = await services.connect<ConnectorStatus>(`/connectors/${name}/status`);
            return now.status !== 200 || settled(now.body) ? now : new NotYet(now.body?.connector?.state ?? '?');
          },
        }).catch(() => services.connect<ConnectorStatus>(`/connectors/${name}/status`));
      }
      if (status.status === 404) {
        process.stdout.write(`no connector "${target}"\n`);
        return ExitCode.failure;
      }
      if (status.status !== 200 || !status.body?.connector) {
        throw new WorkshopError(`Kafka Connect answered HTTP ${status.status}; try again in a moment`);
      }
      const { connector, tasks } = status.body;
      const trace = (t?: string) => (t ? ` (${traceHeadline(t)})` : '');
      process.stdout.write(`connector "${target}": ${connector.state}${trace(connector.trace)}\n`);
      for (const task of tasks) process.stdout.write(`  task ${task.id}: ${task.state}${trace(task.trace)}\n`);
      return statusExit(target, connector.state, tasks);
    }
  }
}
