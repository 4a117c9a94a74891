/**
 * `npm run datagen -- <generator> [options]`: `ratings` produces rating events to Kafka; `customers` writes the
 * customers' seed file, or keeps changing the customers in MySQL (`--changes`). This module stays light: the CLI's
 * listing reads its spec, and each generator's module (which declares its own flags) is loaded only when it runs.
 */
import { defineCommand, HelpRequested, helpText } from '#core/args.js';
import { UsageError } from '#core/errors.js';

export const datagenSpec = defineCommand({
  name: 'datagen',
  usage: 'npm run datagen -- ratings|customers [options]',
  summary: 'produce rating events to Kafka, or generate and change customers in MySQL',
  positionals: { name: 'generator' },
  notes: 'Each generator says its options: npm run datagen -- ratings --help, npm run datagen -- customers --help.',
  usageAsHint: true,
});

const generators = new Map<string, (args: string[]) => Promise<number>>([
  ['ratings', async (args) => (await import('./ratings-command.js')).ratingsCommand(args)],
  ['customers', async (args) => (await import('./customers-command.js')).customersCommand(args)],
]);

/** Both generators' usage lines, for a command line that names neither (loaded then: an error costs no start). */
async function bothUsages(): Promise<string> {
  const [{ ratingsSpec }, { customersSpec }] = await Promise.all([
    import('./ratings-command.js'),
    import('./customers-command.js'),
  ]);
  return `usage: ${datagenSpec.usage}\n       ${ratingsSpec.usage}\n       ${customersSpec.usage}`;
}

export async function datagenCommand(args: string[]): Promise<number> {
  // The generator's name comes first; everything after it is the generator's own to read.
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') throw new HelpRequested(helpText(datagenSpec));
  const generator = name === undefined ? undefined : generators.get(name);
  if (!generator) {
    throw new UsageError(
      name === undefined
        ? 'say which data to generate: ratings or customers'
        : `unknown generator "${name}"; the generators are ratings and customers`,
      await bothUsages(),
    );
  }
  return generator(rest);
}
