/**
 * Step 15's headless ksqlDB: a second ksqlDB server that runs the statements of one file (`ksql.queries.file`) under a
 * service id of its own and takes no statement from anyone (ksqlDB 8.0.7 opens no REST listener at all in this
 * mode). Where it runs follows the platform: the compose service `ksqldb-headless` (profile `headless`) on the
 * learners' platform, or a process of this machine's ksqlDB install (WORKSHOP_HEADLESS_KSQLDB_HOME, set by the local
 * stack), which the kit starts in the background like solve's producer (`npm run headless -- serve` under a title of
 * the kit's, its output in .workshop/ksqldb-headless.log).
 *
 * What it runs is seen in Kafka, the same on both: each persistent query of the file is a consumer group
 * `_confluent-ksql-<service id>query_<query id>` with live members while the server runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkshopConfig } from '#core/config.js';
import { EnvironmentError } from '#core/errors.js';
import { runningKitProcess } from '#core/process.js';
import { repoPath, stateDir } from '#core/state-dir.js';
import type { Services } from './services.js';

/** The headless server's service id: its internal topics and query groups are named after it. */
export const headlessServiceId = 'workshop_headless_';
/** The file the headless server runs, as the guide and the compose service name it. */
export const headlessFileShown = 'headless/queries.sql';
export const headlessFile = () => repoPath(headlessFileShown);
/** The compose service, and the name of the kit's pid and log files for the local process. */
export const headlessName = 'ksqldb-headless';
/** The listener the local process is given, written beside its properties: connecting to it shows it refuses. */
export const headlessListenerFile = () => path.join(stateDir(), headlessName, 'listener');
export const headlessLogFile = () => path.join(stateDir(), `${headlessName}.log`);

/** The line ksqlDB logs when a statement of the queries file fails at start (StandaloneExecutor), then it stops. */
const failedStart = 'Failed to start KSQL Server with query file';

/**
 * Why the server stopped at start, from its log: ksqlDB's own words after its "Failed to start KSQL Server with query
 * file" line (the statement's error, with its line and column), or undefined when the log holds none. Only the last
 * start counts: a log that shows a start after the failure is a later, different run.
 */
export function startFailure(log: string): string | undefined {
  const lines = log.split('\n');
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.includes(failedStart)) {
      at = i;
      break;
    }
    // A server that came up after the failure: not this run's trouble.
    if (lines[i]?.includes('Server up and running')) return undefined;
  }
  if (at < 0) return undefined;
  const message: string[] = [];
  for (const line of lines.slice(at + 1, at + 12)) {
    // The next log line of the server (a timestamped "[…] INFO …") ends the error's own text.
    if (/^\[\d{4}-\d\d-\d\d /.test(line)) break;
    if (/^\s+at /.test(line)) break;
    if (line.trim() !== '') message.push(line.trim());
  }
  // The exception's class is Java's detail, not the learner's: "io.confluent.ksql.util.KsqlStatementException: …".
  const text = message.join(' ').replace(/^[\w.$]+(?:Exception|Error):\s*/, '');
  return text !== '' ? text : (lines[at] ?? '').trim();
}

/**
 * Whether the server of the log's last start is up. Seen on ksqlDB 8.0.7: KsqlServerMain first runs a precondition
 * checker ("Starting server", "Server up and running", "Server shutting down" within a second), then the server
 * itself ("Starting server" again, and "Server up and running" once every query of the file has started). So the
 * server is up when its log shows two starts and the last of its lines is "up and running".
 */
export function serverUp(log: string): boolean {
  const events = log
    .split('\n')
    .filter((line) => line.includes('(io.confluent.ksql.rest.server.KsqlServerMain)'))
    .map((line) => /INFO (Starting server|Server up and running|Server shutting down)/.exec(line)?.[1])
    .filter((e) => e !== undefined);
  return events.filter((e) => e === 'Starting server').length >= 2 && events.at(-1) === 'Server up and running';
}

/** One persistent query of the headless server, from its consumer group. */
export interface HeadlessQuery {
  queryId: string;
  /** The stream or table it writes (CSAS_POOR_RATINGS_0 writes POOR_RATINGS). */
  sink: string;
  group: string;
  state: string;
  members: number;
}

const queryGroupPrefix = (serviceId: string) => `_confluent-ksql-${serviceId}query_`;

/** The headless server's queries as Kafka sees them: every query group of its service id, live or left behind. */
export async function headlessQueries(services: Services, serviceId = headlessServiceId): Promise<HeadlessQuery[]> {
  const prefix = queryGroupPrefix(serviceId);
  return services.withKafkaAdmin(async (admin) => {
    await admin.listTopics(); // loads the cluster's metadata, which describeGroups needs
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length === 0) return [];
    const described = await admin.describeGroups(groups);
    return described.groups.map((g) => {
      const queryId = g.groupId.slice(prefix.length);
      const sink = /^(?:CSAS|CTAS|INSERTQUERY)_(.+)_\d+$/.exec(queryId)?.[1] ?? queryId;
      return { queryId, sink, group: g.groupId, state: g.state, members: g.members.length };
    });
  });
}

/** The topics and consumer groups the headless server leaves in Kafka, besides the output topics of its file. */
export async function headlessLeftovers(
  services: Services,
  serviceId = headlessServiceId,
): Promise<{ topics: string[]; groups: string[] }> {
  return services.withKafkaAdmin(async (admin) => {
    const topics = (await admin.listTopics()).filter(
      (t) => t.startsWith(`_confluent-ksql-${serviceId}`) || t === `${serviceId}ksql_processing_log`,
    );
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`_confluent-ksql-${serviceId}`));
    return { topics, groups };
  });
}

/** Where the headless server runs on this platform, and how the kit starts, stops and reads it. */
export interface HeadlessRunner {
  /** In words: "the compose service ksqldb-headless" or "a process of the ksqlDB at …". */
  where: string;
  /** The command that shows its log. */
  logCommand: string;
  /** Whether it runs now; undefined when that cannot be told (Docker not answering). */
  running(): Promise<boolean | undefined>;
  /** Its output since it last started. */
  log(): Promise<string>;
  /** The address it was told to listen on, when the kit knows it (the local process). */
  listener(): string | undefined;
}

/**
 * Runs `docker compose` for the headless service, its profile named (without it, Compose knows no such service); its
 * answer, or the reason it could not run.
 */
export function composeRun(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const compose = ['compose', '--file', repoPath('docker-compose.yml'), '--profile', 'headless'];
    const child = spawn('docker', [...compose, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 1,
        stdout,
        // Killed at its timeout: say so, as Docker said nothing.
        stderr: signal ? `${stderr}docker compose did not answer within ${timeoutMs / 1000} s` : stderr,
      }),
    );
  });
}

const composeRunner: HeadlessRunner = {
  where: `the compose service ${headlessName}`,
  logCommand: `docker compose --profile headless logs ${headlessName}`,
  running: async () => {
    const answer = await composeRun(['ps', '--format', 'json', headlessName], 15_000);
    if (answer.code !== 0) return undefined;
    return /"State"\s*:\s*"running"/.test(answer.stdout);
  },
  log: async () => {
    // The whole log of the container's run: telling that it is up needs its first lines too.
    const answer = await composeRun(['logs', '--no-color', '--no-log-prefix', headlessName], 30_000);
    return answer.stdout;
  },
  listener: () => undefined,
};

function localRunner(home: string): HeadlessRunner {
  return {
    where: `a process of the ksqlDB install at ${home}`,
    logCommand: 'npm run headless -- logs',
    running: async () => runningKitProcess(headlessName) !== undefined,
    // About 1 MB a start (Kafka's clients log their whole configuration): read whole, as telling that it is up needs
    // the first lines too.
    log: async () => (existsSync(headlessLogFile()) ? readFileSync(headlessLogFile(), 'utf8') : ''),
    listener: () =>
      existsSync(headlessListenerFile()) ? readFileSync(headlessListenerFile(), 'utf8').trim() : undefined,
  };
}

export function headlessRunner(config: WorkshopConfig): HeadlessRunner {
  return config.headlessKsqldbHome ? localRunner(config.headlessKsqldbHome) : composeRunner;
}

/** What connecting to the headless server's listener finds: it must refuse, as a headless server takes no statement. */
export async function tryInteractive(url: string, timeoutMs = 3_000): Promise<'refused' | { answered: string }> {
  try {
    const response = await fetch(`${url}/ksql`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.ksql.v1+json' },
      body: JSON.stringify({ ksql: 'SHOW STREAMS;', streamsProperties: {} }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { answered: `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}` };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return 'refused';
    throw new EnvironmentError(
      `the headless server's address ${url} neither answered nor refused (${code ?? (error as Error).message})`,
      'see npm run headless -- status',
    );
  }
}
