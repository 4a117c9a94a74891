/**
 * Printing for the CLI. Results go to stdout; progress and errors to stderr. Colour only on a terminal (see colour.ts:
 * NO_COLOR and FORCE_COLOR are honoured).
 */
import { colour } from './colour.js';
import { WorkshopError } from './errors.js';

export const isInteractive = (): boolean => Boolean(process.stderr.isTTY) && !process.env.CI;

export function progress(message: string): void {
  process.stderr.write(`${colour.dim('…')} ${message}\n`);
}

export function success(message: string): void {
  process.stderr.write(`${colour.green('✓')} ${message}\n`);
}

/** `Error: <message>` and the hint; a stack only for errors the kit did not expect, which are its own bugs. */
export function printError(error: unknown): void {
  if (error instanceof WorkshopError) {
    process.stderr.write(`${colour.red('Error:')} ${error.message}\n`);
    if (error.hint) process.stderr.write(`${colour.yellow('→')} ${error.hint}\n`);
    return;
  }
  process.stderr.write(`${colour.red('Error (a bug in the workshop kit, please report it):')}\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${colour.yellow('!')} ${message}\n`);
}
