/**
 * `npm run datagen -- <generator> [options]`: `ratings` produces rating events to Kafka; `customers` writes the
 * customers' seed file, or keeps changing the customers in MySQL (`--changes`). This module stays light: the CLI's
 * listing reads its spec, and each generator's module (which declares its own flags) is loaded only when it runs.
 */
import { defineCommand, HelpRequested, helpText, parseCommand } from '#core/args.js';

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

export async function datagenCommand(args: string[]): Promise<number> {
  // The generator's own flags follow its name: only what comes before is datagen's.
  const { positionals, usageError } = parseCommand(datagenSpec, args.slice(0, 1));
  const [name] = positionals;
  if (name === 'help') throw new HelpRequested(helpText(datagenSpec));
  const generator = name === undefined ? undefined : generators.get(name);
  if (!generator) {
    throw usageError(
      name === undefined
        ? 'say which data to generate: ratings or customers'
        : `unknown generator "${name}"; the generators are ratings and customers`,
    );
  }
  return generator(args.slice(1));
}
