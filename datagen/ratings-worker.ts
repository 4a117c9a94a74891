/**
 * Entry point of a worker thread of `datagen ratings` at full speed (see ratings-pool.ts): one more idempotent
 * producer running the same loop, claiming ids from the counter it shares with the other workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WorkshopError } from '#core/errors.js';
import { SharedClaims, type WorkerInput, type WorkerMessage } from './ratings-pool.js';
import { runSender } from './ratings-sender.js';

const input = workerData as WorkerInput | undefined;
if (parentPort && input?.role === 'datagen-ratings-worker') {
  const port = parentPort;
  const post = (message: WorkerMessage) => port.postMessage(message);
  const go = new Promise<void>((resolve) => port.once('message', () => resolve()));
  try {
    await runSender(new SharedClaims(input.state, input.lastId), {
      ...input.sender,
      report: post,
      whenConnected: async () => {
        post({ kind: 'connected' });
        await go;
      },
    });
    post({ kind: 'finished' });
  } catch (error) {
    const known = error instanceof WorkshopError;
    post({
      kind: 'failed',
      message: error instanceof Error ? error.message : String(error),
      hint: known ? error.hint : undefined,
      exitCode: known ? error.exitCode : 1,
    });
  }
}
