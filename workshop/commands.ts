/**
 * Every command the CLI knows, in the order `npm run workshop` lists them. Each is reached as `npm run <name>`.
 * A command without `run` is reserved: its name and npm script exist, and it says which part of the kit brings it.
 */

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run?: (args: string[]) => Promise<number | undefined>;
  /** For a reserved command: what it will do and which part of the kit brings it. */
  comesWith?: string;
}

export const commands: Command[] = [
  {
    name: 'preflight',
    usage: 'npm run preflight',
    summary: 'check this laptop before the workshop: Docker, memory, ports, images for offline use',
    run: async (args) => (await import('#workshop/platform/preflight.js')).preflightCommand(args),
  },
  {
    name: 'up',
    usage: 'npm run up [-- --timeout SECONDS]',
    summary: 'start the workshop platform with Docker Compose and wait until every service is healthy',
    run: async (args) => (await import('#workshop/platform/up.js')).upCommand(args),
  },
  {
    name: 'status',
    usage: 'npm run status [-- --json]',
    summary: 'show each service of the platform: state, health, local URL',
    run: async (args) => (await import('#workshop/platform/status.js')).statusCommand(args),
  },
  {
    name: 'down',
    usage: 'npm run down [-- --volumes]',
    summary: 'stop the platform (keeps data unless --volumes)',
    run: async (args) => (await import('#workshop/platform/down.js')).downCommand(args),
  },
  {
    name: 'prefetch',
    usage: 'npm run prefetch',
    summary: 'pull and build every image the workshop needs, for instructors before the day',
    run: async (args) => (await import('#workshop/platform/prefetch.js')).prefetchCommand(args),
  },
  {
    name: 'logs',
    usage: 'npm run logs -- <service> [--tail N]',
    summary: 'print the last lines of one platform service’s log',
    run: async (args) => (await import('#workshop/platform/logs.js')).logsCommand(args),
  },
  {
    name: 'check',
    usage: 'npm run check [step-N] [-- --json | --watch | --passive]',
    summary: 'check that a step of the pipeline really works, and say what to fix if not',
    run: async (args) => (await import('#workshop/commands/check.js')).checkCommand(args),
  },
  {
    name: 'solve',
    usage: 'npm run solve step-N',
    summary: 'catch up: apply the reference solutions of steps 1..N',
    run: async (args) => (await import('#workshop/commands/solve.js')).solveCommand(args),
  },
  {
    name: 'reset',
    usage: 'npm run reset [step-N]',
    summary: 'remove what step N and later steps created (everything, without a step)',
    run: async (args) => (await import('#workshop/commands/reset.js')).resetCommand(args),
  },
  {
    name: 'connector',
    usage: 'npm run connector -- apply <file.json> | status|resume|restart|delete <name>',
    summary: 'create or update a Kafka Connect connector from a file (no curl needed), see or delete one',
    run: async (args) => (await import('#workshop/commands/connector.js')).connectorCommand(args),
  },
  {
    name: 'ksql',
    usage: 'npm run ksql -- "<statement>;" | -f <file.sql>',
    summary: 'run ksqlDB statements and queries and print the answers as tables (no docker compose exec needed)',
    run: async (args) => (await import('#workshop/commands/ksql.js')).ksqlCommand(args),
  },
  {
    name: 'rehearse',
    usage: 'npm run rehearse [-- --to step-N]',
    summary: 'for instructors: on the running platform, every step must fail, be solved, then pass; a table of times',
    run: async (args) => (await import('#workshop/commands/rehearse.js')).rehearseCommand(args),
  },
  {
    name: 'datagen',
    usage: 'npm run datagen -- ratings|customers [options]',
    summary: 'produce rating events to Kafka, or generate and change customers in MySQL',
    run: async (args) => (await import('#datagen/datagen-command.js')).datagenCommand(args),
  },
  {
    name: 'notify',
    usage: 'npm run notify [-- --rate N|off] [--from-beginning]',
    summary: 'post a notification for every unhappy platinum customer to a Slack webhook (or print it)',
    run: async (args) => (await import('#workshop/notify/notify-command.js')).notifyCommand(args),
  },
  {
    name: 'site',
    usage: 'npm run site [-- --port 3000]',
    summary: 'serve the workshop site on 127.0.0.1, reloading as guides change',
    run: async (args) => (await import('#workshop/commands/site.js')).siteCommand(args),
  },
  {
    name: 'site:build',
    usage: 'npm run site:build',
    summary: 'build the workshop site as static pages (fails on a broken link)',
    run: async (args) => (await import('#workshop/commands/site.js')).siteBuildCommand(args),
  },
  {
    name: 'room',
    usage: 'npm run room [-- --port 8090] [--host 0.0.0.0] [--reset]',
    summary: 'for instructors: a live view of where every learner is, fed by their checks (on the local network)',
    run: async (args) => (await import('#workshop/room/room-command.js')).roomCommand(args),
  },
  {
    name: 'join',
    usage: 'npm run join -- <url> <code> [--name "Ada"] | --leave',
    summary: "report your checks to the instructor's room (name, step, outcome, what failed), or stop",
    run: async (args) => (await import('#workshop/room/join-command.js')).joinCommand(args),
  },
  {
    name: 'stack:local',
    usage: 'npm run stack:local',
    summary: 'run real Kafka, Connect + Debezium, MariaDB and Elasticsearch without Docker (for kit developers)',
    run: async (args) => (await import('#workshop/dev/stack/stack-local-command.js')).stackLocalCommand(args),
  },
  {
    name: 'bench',
    usage: 'npm run bench',
    summary: 'print the kit’s benchmark figures',
    run: async (args) => (await import('#workshop/dev/bench/bench-command.js')).benchCommand(args),
  },
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
