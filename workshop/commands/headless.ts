/**
 * `npm run headless -- start|stop|status|logs`: step 15's headless ksqlDB server, which runs the statements of
 * headless/queries.sql and takes none from anyone. On the learners' platform it is the compose service
 * ksqldb-headless (profile `headless`); where WORKSHOP_HEADLESS_KSQLDB_HOME names a ksqlDB install (the local stack),
 * a process of that install that `start` runs in the background through `serve`, which runs it in the foreground.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  headlessFile,
  headlessFileShown,
  headlessListenerFile,
  headlessLogFile,
  headlessName,
  headlessQueries,
  headlessRunner,
  headlessServiceId,
  startFailure,
  tryInteractive,
} from '#checks/clients/headless.js';
import { Services } from '#checks/clients/services.js';
import { readHeadlessFile, startHeadless, stopHeadless } from '#checks/resources/headless.js';
import type { CommandLine } from '#core/args.js';
import { absentValue, loadConfig, type WorkshopConfig } from '#core/config.js';
import { ExitCode, UsageError } from '#core/errors.js';
import { formatTable, success } from '#core/output.js';
import { stateDir } from '#core/state-dir.js';

const actions = ['start', 'stop', 'status', 'logs', 'serve'] as const;
/** How many of its last lines `logs` prints. */
const logLines = 200;

/** A free port on 127.0.0.1, for the local server's listener (which, headless, it never opens). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The local server's properties: the interactive server's settings, its own service id, and the file. */
export function headlessProperties(config: WorkshopConfig, port: number, dir: string): string {
  return [
    `listeners=http://127.0.0.1:${port}`,
    `bootstrap.servers=${config.kafkaBootstrapServers.join(',')}`,
    `ksql.service.id=${headlessServiceId}`,
    `ksql.queries.file=${headlessFile()}`,
    `ksql.streams.state.dir=${path.join(dir, 'state')}`,
    'ksql.internal.topic.replicas=1',
    'ksql.streams.replication.factor=1',
    'ksql.streams.num.standby.replicas=0',
    'ksql.streams.num.stream.threads=1',
    // Kafka Streams does not leave its consumer groups when it stops: a stopped server's members stay until their
    // session times out (45 s by default), and reset cannot delete a group with members. 10 s, as in the compose file.
    'ksql.streams.session.timeout.ms=10000',
    'ksql.logging.processing.topic.replication.factor=1',
    'ksql.logging.processing.topic.auto.create=true',
    'confluent.support.metrics.enable=false',
    ...(config.schemaRegistryUrl !== absentValue ? [`ksql.schema.registry.url=${config.schemaRegistryUrl}`] : []),
    '',
  ].join('\n');
}

const consoleLog4j2 = [
  'Configuration:',
  '  Appenders:',
  '    Console:',
  '      name: stdout',
  '      PatternLayout:',
  '        pattern: "[%d] %p %m (%c)%n"',
  '  Loggers:',
  '    Root:',
  '      level: info',
  '      AppenderRef:',
  '        - ref: stdout',
  '    Logger:',
  '      - name: org.reflections',
  '        level: error',
  '',
].join('\n');

/** Runs the headless server of this machine's install in the foreground until it stops or is stopped. */
async function serve(config: WorkshopConfig): Promise<number> {
  const home = config.headlessKsqldbHome;
  if (!home) {
    throw new UsageError(
      'serve runs the headless server from a ksqlDB install of this machine, and WORKSHOP_HEADLESS_KSQLDB_HOME names none',
      'on the learners’ platform the headless server is the compose service: npm run headless -- start',
    );
  }
  readHeadlessFile();
  const dir = path.join(stateDir(), headlessName);
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  const port = await freePort();
  const properties = path.join(dir, 'ksql-server.properties');
  writeFileSync(properties, headlessProperties(config, port, dir));
  writeFileSync(path.join(dir, 'log4j2.yaml'), consoleLog4j2);
  writeFileSync(headlessListenerFile(), `http://127.0.0.1:${port}\n`);
  const child = spawn(path.join(home, 'bin', 'ksql-server-start'), [properties], {
    stdio: 'inherit',
    env: {
      ...process.env,
      KSQL_HEAP_OPTS: '-Xms256m -Xmx384m',
      KSQL_OPTS: '-XX:TieredStopAtLevel=1',
      LOG_DIR: dir,
      KSQL_LOG4J_OPTS: `-Dlog4j2.configurationFile=file:${path.join(dir, 'log4j2.yaml')}`,
      KSQL_GC_LOG_OPTS: ' ',
      KSQL_JMX_OPTS: ' ',
    },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`could not run ${path.join(home, 'bin', 'ksql-server-start')}: ${error.message}\n`);
      resolve(ExitCode.environment);
    });
    child.on('exit', (code) => resolve(code ?? ExitCode.failure));
  });
}

async function status(services: Services): Promise<number> {
  const runner = headlessRunner(services.config);
  const running = await runner.running();
  const queries = await headlessQueries(services);
  const live = queries.filter((q) => q.members > 0);
  process.stdout.write(
    `headless ksqlDB server (${runner.where}, service id ${headlessServiceId}): ${running === undefined ? 'state unknown' : running ? 'running' : 'not running'}\n`,
  );
  if (queries.length > 0) {
    process.stdout.write(
      `${formatTable([
        ['QUERY', 'WRITES', 'GROUP STATE', 'MEMBERS'],
        ...queries.map((q) => [q.queryId, q.sink, q.state, String(q.members)]),
      ])}\n`,
    );
  }
  const listener = runner.listener();
  if (running && listener) {
    const answer = await tryInteractive(listener);
    process.stdout.write(
      answer === 'refused'
        ? `${listener} refuses connections: a headless server takes no statements\n`
        : `${listener} answered an interactive statement (${answer.answered}): this is not a headless server\n`,
    );
  }
  const failure = running ? undefined : startFailure(await runner.log());
  if (failure) process.stdout.write(`it stopped at start: ${failure}\n`);
  if (running && live.length > 0) return ExitCode.ok;
  if (!running) process.stdout.write(`start it with: npm run headless -- start (it runs ${headlessFileShown})\n`);
  return ExitCode.failure;
}

export async function headlessCommand({ positionals, usageError }: CommandLine<unknown>): Promise<number> {
  const [action] = positionals;
  if (!action || positionals.length !== 1 || !(actions as readonly string[]).includes(action)) {
    throw usageError(
      `give one action: ${actions.filter((a) => a !== 'serve').join(', ')} (or serve, in the foreground)`,
    );
  }
  const config = loadConfig();
  if (action === 'serve') return serve(config);
  const services = new Services(config);
  try {
    switch (action) {
      case 'start': {
        const { lines, queries } = await startHeadless(services);
        for (const line of lines.slice(0, -1)) process.stdout.write(`${line}\n`);
        success(lines.at(-1) ?? 'started');
        process.stdout.write(
          `${formatTable([['WRITES', 'TOPIC', 'LINE'], ...queries.map((q) => [q.name, q.topic, String(q.line)])])}\n`,
        );
        return ExitCode.ok;
      }
      case 'stop': {
        const lines = await stopHeadless(services);
        process.stdout.write(`${lines.length > 0 ? lines.join('\n') : 'no headless ksqlDB server was running'}\n`);
        return ExitCode.ok;
      }
      case 'status':
        return await status(services);
      default: {
        const runner = headlessRunner(config);
        const lines = (await runner.log()).split('\n');
        // Its last lines: the whole log is mostly Kafka's clients printing their configuration.
        process.stdout.write(`${lines.slice(-logLines).join('\n')}`);
        if (lines.length > logLines) {
          process.stdout.write(
            `\n(the last ${logLines} of ${lines.length} lines; all of them: ${runner.logCommand === 'npm run headless -- logs' ? headlessLogFile() : runner.logCommand})\n`,
          );
        }
        return ExitCode.ok;
      }
    }
  } finally {
    await services.close();
  }
}
