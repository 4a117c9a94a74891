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
    comesWith: 'the learners’ platform (docker-compose.yml)',
  },
  {
    name: 'up',
    usage: 'npm run up',
    summary: 'start the workshop platform with Docker Compose and wait until every service is healthy',
    comesWith: 'the learners’ platform (docker-compose.yml)',
  },
  {
    name: 'status',
    usage: 'npm run status',
    summary: 'show each service of the platform: state, health, local URL',
    comesWith: 'the learners’ platform (docker-compose.yml)',
  },
  {
    name: 'down',
    usage: 'npm run down [-- --volumes]',
    summary: 'stop the platform (keeps data unless --volumes)',
    comesWith: 'the learners’ platform (docker-compose.yml)',
  },
  {
    name: 'prefetch',
    usage: 'npm run prefetch',
    summary: 'pull and build every image the workshop needs, for instructors before the day',
    comesWith: 'the learners’ platform (docker-compose.yml)',
  },
  {
    name: 'check',
    usage: 'npm run check [step-N] [-- --json | --watch | --passive]',
    summary: 'check that a step of the pipeline really works, and say what to fix if not',
    comesWith: 'the check harness',
  },
  {
    name: 'solve',
    usage: 'npm run solve step-N',
    summary: 'catch up: apply the reference solutions of steps 1..N',
    comesWith: 'the check harness',
  },
  {
    name: 'reset',
    usage: 'npm run reset [step-N]',
    summary: 'remove what step N and later steps created (everything, without a step)',
    comesWith: 'the check harness',
  },
  {
    name: 'datagen',
    usage: 'npm run datagen -- ratings|customers [options]',
    summary: 'produce rating events to Kafka, or generate and change customers in MySQL',
    comesWith: 'the data generator',
  },
  {
    name: 'notify',
    usage: 'npm run notify',
    summary: 'push a notification for every unhappy platinum customer',
    comesWith: 'the notifications step',
  },
  {
    name: 'site',
    usage: 'npm run site',
    summary: 'serve the workshop guide locally',
    comesWith: 'the workshop site',
  },
  {
    name: 'site:build',
    usage: 'npm run site:build',
    summary: 'build the workshop guide as static pages',
    comesWith: 'the workshop site',
  },
  {
    name: 'stack:local',
    usage: 'npm run stack:local',
    summary: 'run real Kafka, Connect + Debezium, MariaDB and Elasticsearch without Docker (for kit developers)',
    run: async (args) => (await import('./stack/stack-local-command.js')).stackLocalCommand(args),
  },
  {
    name: 'bench',
    usage: 'npm run bench',
    summary: 'print the kit’s benchmark figures',
    run: async (args) => (await import('./bench/bench-command.js')).benchCommand(args),
  },
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
