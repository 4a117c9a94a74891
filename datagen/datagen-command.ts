/**
 * `npm run datagen -- <generator> [options]`: `ratings` produces rating events to Kafka; `customers` writes the
 * customers' seed file, or keeps changing the customers in MySQL (`--changes`).
 */
import { UsageError } from '#core/errors.js';
import { customersUsage } from './customers-command.js';
import { ratingsUsage } from './ratings-command.js';

const generators = {
  ratings: async (args: string[]) => (await import('./ratings-command.js')).ratingsCommand(args),
  customers: async (args: string[]) => (await import('./customers-command.js')).customersCommand(args),
} as const;

export const datagenUsage = `${ratingsUsage}\n       ${customersUsage}`;

export async function datagenCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`usage: ${datagenUsage}\n`);
    return 0;
  }
  if (name === undefined || !(name in generators)) {
    throw new UsageError(
      name === undefined
        ? 'say which data to generate: ratings or customers'
        : `unknown generator "${name}"; the generators are ratings and customers`,
      `usage: ${datagenUsage}`,
    );
  }
  return generators[name as keyof typeof generators](rest);
}
