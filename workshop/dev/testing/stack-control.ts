/**
 * Lets integration tests, which run in worker processes, stop and start a server of the stack that the global setup
 * owns: a small HTTP endpoint on 127.0.0.1 that the setup serves and tests call.
 *
 *   POST /servers/<kafka|connect|mariadb|elasticsearch|ksqldb>/stop
 *   POST /servers/<kafka|connect|mariadb|elasticsearch|ksqldb>/start   (waits until the server is ready again)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalStack, type StackServerKey, stackServerKeys } from '#workshop/dev/stack/local-stack.js';

export async function serveStackControl(stack: LocalStack): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (request, response) => {
    const match = /^\/servers\/([a-z]+)\/(stop|start)$/.exec(request.url ?? '');
    const key = match?.[1] as StackServerKey | undefined;
    if (request.method !== 'POST' || !match || !key || !stackServerKeys.includes(key)) {
      response.writeHead(404).end(`use POST /servers/<${stackServerKeys.join('|')}>/<stop|start>`);
      return;
    }
    try {
      const managed = stack.servers[key];
      if (!managed) {
        response.writeHead(404).end(`${key} is not part of this stack`);
        return;
      }
      if (match[2] === 'stop') await managed.stop();
      else if (!managed.running) await managed.restart();
      response.writeHead(204).end();
    } catch (error) {
      response.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Client side, for tests: stop or start one server of the shared stack. */
export async function controlServer(controlUrl: string, key: StackServerKey, action: 'stop' | 'start') {
  const response = await fetch(`${controlUrl}/servers/${key}/${action}`, {
    method: 'POST',
    signal: AbortSignal.timeout(240_000),
  });
  if (!response.ok) throw new Error(`could not ${action} ${key}: ${await response.text()}`);
}
