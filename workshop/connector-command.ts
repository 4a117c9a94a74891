/**
 * `npm run connector -- apply <file>` creates or updates a connector from a JSON file, on every platform, so nobody
 * needs curl; `status <name>` and `delete <name>` do what they say.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { traceHeadline } from '../checks/kinds/connector-running.js';
import { applyConnector, removeConnector } from '../checks/resources.js';
import { Services } from '../checks/services.js';
import { loadConfig } from './config.js';
import { ExitCode, UsageError } from './errors.js';

const usage = 'npm run connector -- apply <file.json> | status <name> | delete <name>';

export async function connectorCommand(args: string[]): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: ${usage}`);
  }
  const [action, target] = positionals;
  if (!action || !target || positionals.length !== 2 || !['apply', 'status', 'delete'].includes(action)) {
    throw new UsageError(`Usage: ${usage}`);
  }
  const services = new Services(loadConfig());
  if (action === 'apply') {
    if (!existsSync(target)) throw new UsageError(`no file ${target}: give the path of a connector JSON file`);
    process.stdout.write(`${await applyConnector(services, target)}\n`);
    return ExitCode.ok;
  }
  if (action === 'delete') {
    const done = await removeConnector(services, target);
    process.stdout.write(done.length > 0 ? `${done.join('\n')}\n` : `no connector "${target}"\n`);
    return ExitCode.ok;
  }
  const status = await services.connect<{
    connector: { state: string; trace?: string };
    tasks: { id: number; state: string; trace?: string }[];
  }>(`/connectors/${encodeURIComponent(target)}/status`);
  if (status.status === 404) {
    process.stdout.write(`no connector "${target}"\n`);
    return ExitCode.failure;
  }
  const { connector, tasks } = status.body;
  process.stdout.write(
    `connector "${target}": ${connector.state}${connector.trace ? ` (${traceHeadline(connector.trace)})` : ''}\n`,
  );
  for (const task of tasks) {
    process.stdout.write(`  task ${task.id}: ${task.state}${task.trace ? ` (${traceHeadline(task.trace)})` : ''}\n`);
  }
  return ExitCode.ok;
}
