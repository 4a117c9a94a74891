/**
 * The kit's one entry point: `npm run <command>` runs it through workshop/launcher/launch.mjs (built into .build/ as
 * plain JavaScript; `tsx workshop/cli.ts <command>` runs it from source). It finds the command, runs
 * it, and turns expected failures into `Error: <message>` and an exit code (see errors.ts and the README).
 */
import { fileURLToPath } from 'node:url';
import { HelpRequested } from '#core/args.js';
import { closeAll } from '#core/closers.js';
import { ExitCode, UsageError, WorkshopError } from '#core/errors.js';
import { formatTable, printError } from '#core/output.js';
import { type Command, commands, findCommand } from './commands.js';

/** Each command's usage (as its --help prints it) and summary; a long usage has its summary on the next line. */
export function commandList(): string {
  return formatTable(
    commands.map((c) => [c.usage, c.summary]),
    { indent: '  ', maxWidth: 64 },
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(`The workshop's commands:\n${commandList()}\n`);
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const command: Command | undefined = findCommand(name);
    if (!command) {
      throw new UsageError(`unknown command "${name}". The commands are:\n${commandList()}`);
    }
    if (!command.run) {
      process.stderr.write(
        `npm run ${command.name} is reserved but not part of this version of the kit yet: it comes with ${command.comesWith}.\n`,
      );
      return ExitCode.failure;
    }
    return (await command.run(args)) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.text);
      return ExitCode.ok;
    }
    printError(error);
    return error instanceof WorkshopError ? error.exitCode : ExitCode.bug;
  } finally {
    await closeAll();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
