/**
 * Every command the CLI knows, in the order `npm run workshop` lists them. Each is reached as `npm run <name>`.
 * Each entry is the one place its usage, summary and flags are written: the listing prints them, `<command> --help`
 * prints them, and the entry reads the command line by them (core/args.ts) before it loads the command's module
 * (with import(), so a command loads only what it needs) and hands it what it read. The data generator and the
 * notifications app declare theirs in their own (light) modules, referenced from here: the generator stands on a
 * floor below, and the notifications' options are read on their own by their tests.
 * A command without `run` is reserved: its name and npm script exist, and it says which part of the kit brings it.
 */
import {
  type CommandSpec,
  defineCommand,
  type Flags,
  OptionError,
  type ParsedCommand,
  parseCommand,
} from '#core/args.js';
import { type Engine, engines, isEngine } from '#core/engine.js';
import { datagenCommand, datagenSpec } from '#datagen/datagen-command.js';
import { notifyCommand, notifySpec } from '#workshop/notify/notify-command.js';

export interface Command<F extends Flags = Flags> extends CommandSpec<F> {
  run?: (args: string[]) => Promise<number | undefined>;
  /** For a reserved command: what it will do and which part of the kit brings it. */
  comesWith?: string;
}

/** A command as written here: its module's function runs on the command line read by the entry's flags. */
function command<const F extends Flags>({
  run,
  ...spec
}: CommandSpec<F> & { run: (line: ParsedCommand<F>) => Promise<number | undefined> }): Command<F> {
  return { ...spec, run: async (args) => run(parseCommand(spec, args)) };
}

const json = { type: 'boolean', description: 'print the result as JSON' } as const;
/** `-f <file.sql>` of the commands that run SQL (ksql, mysql). */
const sqlFile = {
  type: 'string',
  short: 'f',
  value: '<file.sql>',
  description: 'run the statements of this file',
} as const;
/** Their statements are text: one that begins with a `-- comment` (most solution blocks do) is never taken for a flag. */
const statements = { name: 'statement', text: true } as const;
const port = { type: 'number', value: 'PORT', min: 1, max: 65535, expected: 'a port number from 1 to 65535' } as const;

export const preflightSpec = command({
  name: 'preflight',
  usage: 'npm run preflight [-- --json]',
  summary: 'check this laptop before the workshop: Docker, memory, ports, images for offline use',
  flags: { json },
  run: async (line) => (await import('#workshop/platform/preflight.js')).preflightCommand(line),
});

/** `--engine ksqldb|flink`: the stream-processing engine (core/engine.ts). */
function engineFlag(description: string) {
  return {
    type: 'string',
    value: 'ksqldb|flink',
    description,
    parse: (raw: string): Engine => {
      if (!isEngine(raw.toLowerCase())) {
        throw new OptionError(`--engine must be one of ${engines.join(', ')}, found "${raw}"`);
      }
      return raw.toLowerCase() as Engine;
    },
  } as const;
}

export const upSpec = command({
  name: 'up',
  usage: 'npm run up [-- --timeout SECONDS] [--engine ksqldb|flink]',
  summary: 'start the workshop platform with Docker Compose and wait until every service is healthy',
  flags: {
    timeout: {
      type: 'number',
      value: 'SECONDS',
      unit: 'seconds',
      min: 10,
      max: 3600,
      description: 'how long the services may take to become healthy once started (downloads not counted)',
    },
    engine: engineFlag(
      'the stream-processing engine of this room: ksqldb (the default) or flink (adds Flink’s JobManager, TaskManager and SQL Gateway); remembered for later commands',
    ),
  },
  run: async (line) => (await import('#workshop/platform/up.js')).upCommand(line),
});

export const statusSpec = command({
  name: 'status',
  usage: 'npm run status [-- --json]',
  summary: 'show each service of the platform: state, health, local URL',
  flags: { json },
  run: async (line) => (await import('#workshop/platform/status.js')).statusCommand(line),
});

export const downSpec = command({
  name: 'down',
  usage: 'npm run down [-- --volumes]',
  summary: 'stop the platform (keeps data unless --volumes)',
  flags: {
    volumes: {
      type: 'boolean',
      description: 'also remove its data: topics, MySQL rows, Elasticsearch indexes, Kibana objects',
    },
  },
  run: async (line) => (await import('#workshop/platform/down.js')).downCommand(line),
});

export const prefetchSpec = command({
  name: 'prefetch',
  usage: 'npm run prefetch',
  summary: 'pull and build every image the workshop needs, for instructors before the day',
  run: async (line) => (await import('#workshop/platform/prefetch.js')).prefetchCommand(line),
});

const logsDefinition = defineCommand({
  name: 'logs',
  usage: 'npm run logs -- <service> [--tail N]',
  summary: 'print the last lines of one platform service’s log',
  flags: {
    tail: { type: 'number', min: 1, max: 100_000, default: 100, description: 'how many of the last lines to print' },
  },
  positionals: { name: 'service' },
});

export const logsSpec: Command = {
  ...logsDefinition,
  // Its refusals list the platform's services, which only the compose file knows: read when the command runs.
  run: async (args) => (await import('#workshop/platform/logs.js')).logsMain(logsDefinition, args),
};

export const checkSpec = command({
  name: 'check',
  usage: 'npm run check [step-N] [-- --json | --watch | --passive]',
  summary: 'check that a step of the pipeline really works, and say what to fix if not',
  flags: {
    json: { ...json, description: 'print the verdict as JSON' },
    watch: { type: 'boolean', description: 'check the step again every 2 s until it passes (Ctrl-C stops)' },
    passive: { type: 'boolean', description: 'only look: skip the checks that write a probe record' },
  },
  positionals: { name: 'step', max: 1 },
  run: async (line) => (await import('#workshop/commands/check.js')).checkCommand(line),
});

export const solveSpec = command({
  name: 'solve',
  usage: 'npm run solve step-N',
  summary: 'catch up: apply the reference solutions of steps 1..N',
  positionals: { name: 'step' },
  run: async (line) => (await import('#workshop/commands/solve.js')).solveCommand(line),
});

export const resetSpec = command({
  name: 'reset',
  usage: 'npm run reset [step-N]',
  summary: 'remove what step N and later steps created (everything, without a step)',
  positionals: { name: 'step', max: 1 },
  run: async (line) => (await import('#workshop/commands/reset.js')).resetCommand(line),
});

export const connectorSpec = command({
  name: 'connector',
  usage: 'npm run connector -- apply <file.json> | status|resume|restart|delete <name>',
  summary: 'create or update a Kafka Connect connector from a file (no curl needed), see or delete one',
  positionals: { name: 'action and its file or name' },
  run: async (line) => (await import('#workshop/commands/connector.js')).connectorCommand(line),
});

export const headlessSpec = command({
  name: 'headless',
  usage: 'npm run headless -- start|stop|status|logs',
  summary: "step 15's headless ksqlDB server: start it on headless/queries.sql, stop it, see what it runs, its log",
  positionals: { name: 'action' },
  run: async (line) => (await import('#workshop/commands/headless.js')).headlessCommand(line),
});

/** `--timeout SECONDS` of the commands that run queries (ksql, flink). */
const queryTimeout = {
  type: 'string',
  value: 'SECONDS',
  description: 'stop a query that is still running after so long (default: at Ctrl-C or its LIMIT)',
  parse: (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) === 0) {
      throw new OptionError(`--timeout must be a whole number of seconds, found "${raw}"`);
    }
    return Number(raw) * 1000;
  },
} as const;

export const ksqlSpec = command({
  name: 'ksql',
  usage: 'npm run ksql -- "<statement>;" | -f <file.sql> [--timeout SECONDS]',
  summary: 'run ksqlDB statements and queries and print the answers as tables (no docker compose exec needed)',
  flags: { file: sqlFile, timeout: queryTimeout },
  positionals: statements,
  run: async (line) => (await import('#workshop/commands/ksql.js')).ksqlCommand(line),
});

export const flinkSpec = command({
  name: 'flink',
  usage: 'npm run flink -- "<statement>;" | -f <file.sql> [--timeout SECONDS]',
  summary:
    'run Flink SQL through the SQL Gateway and print the answers as tables; your tables are kept between commands',
  flags: { file: sqlFile, timeout: queryTimeout },
  positionals: statements,
  run: async (line) => (await import('#workshop/commands/flink.js')).flinkCommand(line),
});

export const mysqlSpec = command({
  name: 'mysql',
  usage: 'npm run mysql -- "<statement>" | -f <file.sql>',
  summary: "run SQL on the platform's MySQL as the kit's user and print the answer (no docker compose exec needed)",
  flags: { file: sqlFile },
  positionals: statements,
  run: async (line) => (await import('#workshop/commands/mysql.js')).mysqlCommand(line),
});

export const topicSpec = command({
  name: 'topic',
  usage: 'npm run topic -- <name> [--from-beginning] [--max N] [--follow] | <name> --group <group>',
  summary: "print a topic's records (partition, offset, timestamp, key, value) or a consumer group's lag in it",
  flags: {
    'from-beginning': { type: 'boolean', description: 'the first records of each partition, not the newest' },
    max: {
      type: 'number',
      value: 'N',
      min: 1,
      max: 10_000,
      expected: 'a whole number of records from 1 to 10000',
      description: 'how many records to print (default: 10)',
    },
    follow: { type: 'boolean', description: 'then print new records as they arrive, until Ctrl-C' },
    group: {
      type: 'string',
      value: '<group>',
      description: 'instead: where this consumer group is in the topic, its members and lag',
    },
  },
  positionals: { name: 'topic', max: 1 },
  run: async (line) => (await import('#workshop/commands/topic.js')).topicCommand(line),
});

export const rehearseSpec = command({
  name: 'rehearse',
  usage: 'npm run rehearse [-- --to step-N] [--keep] [--guides] [--engine ksqldb|flink]',
  summary: 'for instructors: on the running platform, every step must fail, be solved, then pass; a table of times',
  flags: {
    to: { type: 'string', value: 'step-N', description: 'stop after this step (default: the last)' },
    keep: { type: 'boolean', description: 'leave the solved pipeline running at the end (default: reset)' },
    guides: {
      type: 'boolean',
      description: "instead of solve: run every block of each step's guide as a learner types it, then its check",
    },
    engine: engineFlag('rehearse on this engine (default: the room’s, see npm run status)'),
  },
  run: async (line) => (await import('#workshop/commands/rehearse.js')).rehearseCommand(line),
});

const datagen: Command = { ...datagenSpec, run: datagenCommand };
const notify: Command = { ...notifySpec, run: notifyCommand };

export const siteSpec = command({
  name: 'site',
  usage: 'npm run site [-- --port 3000]',
  summary: 'serve the workshop site on 127.0.0.1, reloading as guides change',
  flags: { port: { ...port, default: 3000, description: 'the port to serve on' } },
  usageAsHint: true,
  run: async (line) => (await import('#workshop/commands/site.js')).siteCommand(line),
});

export const siteBuildSpec = command({
  name: 'site:build',
  usage: 'npm run site:build',
  summary: 'build the workshop site as static pages (fails on a broken link)',
  usageAsHint: true,
  run: async (line) => (await import('#workshop/commands/site.js')).siteBuildCommand(line),
});

export const roomSpec = command({
  name: 'room',
  usage: 'npm run room [-- --port 8090] [--host 0.0.0.0] [--reset]',
  summary: 'for instructors: a live view of where every learner is, fed by their checks (on the local network)',
  flags: {
    port: {
      ...port,
      min: 0,
      expected: 'a port number from 1 to 65535 (or 0: any free port)',
      default: 8090,
      description: 'the port to listen on',
    },
    host: {
      type: 'string',
      value: 'ADDRESS',
      default: '0.0.0.0',
      description: 'the address to listen on (0.0.0.0: every network)',
    },
    reset: { type: 'boolean', description: 'start a new room, with a new code, instead of reopening the last one' },
  },
  run: async (line) => (await import('#workshop/room/room-command.js')).roomCommand(line),
});

export const joinSpec = command({
  name: 'join',
  usage: 'npm run join -- <url> <code> [--name "Your name"] | --leave',
  summary: "report your checks to the instructor's room (name, step, outcome, what failed), or stop",
  flags: {
    name: { type: 'string', value: '"Your name"', description: 'the name the room shows for you' },
    leave: { type: 'boolean', description: 'stop reporting to the room' },
  },
  positionals: { name: 'address and code' },
  run: async (line) => (await import('#workshop/room/join-command.js')).joinCommand(line),
});

export const stackLocalSpec = command({
  name: 'stack:local',
  usage: 'npm run stack:local',
  summary: 'run real Kafka, Connect + Debezium, MariaDB and Elasticsearch without Docker (for kit developers)',
  run: async (line) => (await import('#workshop/dev/stack/stack-local-command.js')).stackLocalCommand(line),
});

export const benchSpec = command({
  name: 'bench',
  usage: 'npm run bench [-- --only NAME[,NAME]] [--warm-only] [--runs N] [--records N]',
  summary: 'print the kit’s benchmark figures',
  flags: {
    only: {
      type: 'string',
      value: 'NAME[,NAME]',
      description: 'run only these benchmarks (default: every one but catch-up, which takes about 20 minutes)',
    },
    'warm-only': { type: 'boolean', description: 'start the local stack from a warm cache only (no download)' },
    runs: { type: 'number', min: 1, max: 100, description: 'repetitions where a benchmark repeats' },
    records: {
      type: 'number',
      min: 1_000,
      max: 100_000_000,
      description: 'records per run of the datagen benchmark (default: 500000), events of the notify one (3000)',
    },
  },
  run: async (line) => (await import('#workshop/dev/bench/bench-command.js')).benchCommand(line),
});

export const commands: Command[] = [
  preflightSpec,
  upSpec,
  statusSpec,
  downSpec,
  prefetchSpec,
  logsSpec,
  checkSpec,
  solveSpec,
  resetSpec,
  connectorSpec,
  ksqlSpec,
  flinkSpec,
  headlessSpec,
  mysqlSpec,
  topicSpec,
  rehearseSpec,
  datagen,
  notify,
  siteSpec,
  siteBuildSpec,
  roomSpec,
  joinSpec,
  stackLocalSpec,
  benchSpec,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
