/**
 * `npm run datagen -- <generator> [options]`: `ratings` produces rating events to Kafka; `customers` writes the
 * customers' seed file, or keeps changing the customers in MySQL (`--changes`); `syslog` produces syslog events. This module stays light: the CLI's
 * listing reads its spec, and each generator's module (which declares its own flags) is loaded only when it runs.
 */
import { defineCommand, HelpRequested, helpText } from '#core/args.js';
import { UsageError } from '#core/errors.js';

export const datagenSpec = defineCommand({
  name: 'datagen',
  usage: 'npm run datagen -- ratings|customers|syslog [options]',
  summary: 'produce rating events to Kafka, generate and change customers in MySQL, or produce syslog events',
  positionals: { name: 'generator' },
  notes:
    'Each generator says its options: npm run datagen -- ratings --help, npm run datagen -- customers --help, npm run datagen -- syslog --help.',
  usageAsHint: true,
});

const generators = new Map<string, (args: string[]) => Promise<number>>([
  ['ratings', async (args) => (await import('./ratings-command.js')).ratingsCommand(args)],
  ['customers', async (args) => (await import('./customers-command.js')).customersCommand(args)],
  ['syslog', async (args) => (await import('./syslog-command.js')).syslogCommand(args)],
]);

/** Every generator's usage line, for a command line that names none (loaded then: an error costs no start). */
async function allUsages(): Promise<string> {
  const [{ ratingsSpec }, { customersSpec }, { syslogSpec }] = await Promise.all([
    import('./ratings-command.js'),
    import('./customers-command.js'),
    import('./syslog-command.js'),
  ]);
  return `usage: ${datagenSpec.usage}\n       ${ratingsSpec.usage}\n       ${customersSpec.usage}\n       ${syslogSpec.usage}`;
}

export async function datagenCommand(args: string[]): Promise<number> {
  // The generator's name comes first; everything after it is the generator's own to read.
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') throw new HelpRequested(helpText(datagenSpec));
  const generator = name === undefined ? undefined : generators.get(name);
  if (!generator) {
    throw new UsageError(
      name === undefined
        ? 'say which data to generate: ratings, customers or syslog'
        : `unknown generator "${name}"; the generators are ratings, customers and syslog`,
      await allUsages(),
    );
  }
  return generator(rest);
}
