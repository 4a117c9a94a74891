import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import type { ServerProcess } from '#core/process.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePort } from './ports.js';
import { forHttp } from './readiness.js';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'managed-server-test-'));

/** A Node script that serves HTTP on `port` after `delayMs`, printing a line first (a server that starts slowly). */
function nodeServer(port: number, delayMs: number) {
  const script = [
    'console.log("starting");',
    `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), ${delayMs});`,
  ].join('\n');
  return { command: process.execPath, args: ['-e', script], logPath: path.join(scratch(), 'server.log') };
}

const started: ManagedServer[] = [];
const launched: ServerProcess[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.stop();
  for (const child of launched.splice(0)) await child.stop();
});

describe('startServer', () => {
  it('launches the server and returns once it is ready; a restart launches it again and waits again', async () => {
    const port = await freePort();
    const stopped: ServerProcess[] = [];
    const server = await startServer({
      name: 'Slow server',
      launch: nodeServer(port, 300),
      ready: forHttp(`http://127.0.0.1:${port}/`, { intervalMs: 50 }),
      timeoutMs: 30_000,
      onLaunch: (child) => launched.push(child),
    });
    started.push(server);
    expect(server.name).toBe('Slow server');
    expect(server.running).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');

    server.onStop((child) => stopped.push(child));
    await expect(server.restart()).rejects.toThrow('Slow server is running; stop it before starting it again');
    await server.stop();
    expect(server.running).toBe(false);
    expect(stopped).toEqual([launched[0]]);
    await server.restart();
    expect(launched).toHaveLength(2);
    expect(server.process).toBe(launched[1]);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  });

  it('gives up at once when the process exits, naming the server and showing its log', async () => {
    const failure = await startServer({
      name: 'Broken server',
      launch: {
        command: 'sh',
        args: ['-c', 'echo "FATAL: port already in use"; exit 3'],
        logPath: path.join(scratch(), 'broken.log'),
      },
      ready: forHttp(`http://127.0.0.1:${await freePort()}/`, { what: 'the broken server to answer' }),
      // Ten minutes: only giving up when the process exits lets the test finish within vitest's own timeout.
      timeoutMs: 600_000,
    }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect((failure as Error).message).toContain(
      'Broken server did not start: gave up waiting for the broken server to answer: Broken server exited with code 3',
    );
    expect((failure as Error).message).toContain('FATAL: port already in use');
  });

  it('stops a server that is not ready by the deadline, and says what it waited for and what it last saw', async () => {
    const port = await freePort();
    const failure = await startServer({
      name: 'Stuck server',
      launch: nodeServer(port, 600_000),
      ready: forHttp(`http://127.0.0.1:${port}/health`, { what: 'the stuck server to answer', intervalMs: 50 }),
      timeoutMs: 3_000,
      onLaunch: (child) => launched.push(child),
    }).catch((error: Error) => error);
    expect((failure as Error).message).toMatch(
      /^Stuck server did not start: timed out after 3\.0 s waiting for the stuck server to answer; last seen: /,
    );
    expect((failure as Error).message).toContain('starting');
    expect(launched[0]?.running).toBe(false);
  });
});
