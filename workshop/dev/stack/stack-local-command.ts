/**
 * `npm run stack:local`: the local stack in the foreground. Prints the endpoints as WORKSHOP_* exports to paste into
 * another shell, and stops every server on Ctrl-C (or when one of them dies).
 */
import type { CommandLine } from '#core/args.js';
import { EnvironmentError, ExitCode } from '#core/errors.js';
import { progress, success } from '#core/output.js';
import { formatSeconds } from '#core/wait.js';
import { startLocalStack, workshopEnv } from './local-stack.js';

export async function stackLocalCommand(_line: CommandLine<unknown>): Promise<number> {
  // Ctrl-C while starting must still stop what has started: remember the signal and act once start returns.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signalled = signal;
    progress(`${signal} received: stopping once the servers that are starting can be stopped`);
  };
  const handler = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    const stack = await startLocalStack({ onProgress: progress });
    if (signalled) {
      await stack.stop();
      return ExitCode.ok;
    }
    success(`local stack ready in ${formatSeconds(stack.timings.totalMs)}; its files are in ${stack.endpoints.dir}`);
    process.stdout.write('# Paste into another shell to point the workshop at this stack:\n');
    for (const [name, value] of Object.entries(workshopEnv(stack.endpoints))) {
      process.stdout.write(`export ${name}=${value}\n`);
    }
    process.stdout.write('# Press Ctrl-C here to stop every server.\n');

    const stopped = new Promise<string>((resolve) => {
      onSignal = (signal) => resolve(`${signal} received`);
    });
    const died = Promise.race(
      stack.processes().map((server) => server.whenExited().then(() => server.exitDescription() ?? server.name)),
    );
    const reason = await Promise.race([stopped, died.then((why) => `unexpectedly: ${why}`)]);
    progress(`stopping the local stack (${reason})`);
    const crashed = reason.startsWith('unexpectedly');
    await stack.stop({ keepDir: crashed });
    if (crashed) {
      throw new EnvironmentError(
        `${reason.replace('unexpectedly: ', '')}, so every server was stopped`,
        `read its log in ${stack.endpoints.dir}, then run npm run stack:local again`,
      );
    }
    success('every server stopped');
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
