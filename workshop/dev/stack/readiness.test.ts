import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NotYet } from '#core/wait.js';
import { freePort } from './ports.js';
import { forHttp, forPort } from './readiness.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** An HTTP server on a free port answering every request with `status` and `body`. */
async function answering(status: number, body: string): Promise<string> {
  const server = createHttpServer((_request, response) => response.writeHead(status).end(body));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('forHttp', () => {
  it('is ready on any 2xx unless told, and says which path answered what when not', async () => {
    expect(await forHttp(`${await answering(204, '')}/subjects`).probe()).toBe(true);
    const notYet = await forHttp(`${await answering(503, 'starting')}/subjects`).probe();
    expect(notYet).toEqual(new NotYet('GET /subjects answered 503'));
  });

  it('takes the status it is given, as a number or a test', async () => {
    const url = await answering(503, '');
    expect(await forHttp(url, { status: 503 }).probe()).toBe(true);
    expect(await forHttp(url, { status: (status) => status >= 500 }).probe()).toBe(true);
    expect(await forHttp(url, { status: 200 }).probe()).toBeInstanceOf(NotYet);
  });

  it('hands the body as JSON, and the status, to the body test; a body that is not JSON comes as undefined', async () => {
    const seen: [unknown, number][] = [];
    const body = (json: unknown, status: number) => {
      seen.push([json, status]);
      return (json as { status?: string } | undefined)?.status === 'green' ? true : new NotYet('not green');
    };
    expect(await forHttp(await answering(200, '{"status":"green"}'), { body }).probe()).toBe(true);
    expect(await forHttp(await answering(200, 'not json'), { body }).probe()).toEqual(new NotYet('not green'));
    const anyStatus = forHttp(await answering(503, '{"status":"red"}'), { status: () => true, body });
    expect(await anyStatus.probe()).toEqual(new NotYet('not green'));
    expect(seen).toEqual([
      [{ status: 'green' }, 200],
      [undefined, 200],
      [{ status: 'red' }, 503],
    ]);
  });

  it('describes what it waits for as told, or by its address', () => {
    expect(forHttp('http://127.0.0.1:1/info').what).toBe('GET http://127.0.0.1:1/info to answer');
    expect(forHttp('http://127.0.0.1:1/info', { what: 'ksqlDB to report RUNNING', intervalMs: 500 })).toMatchObject({
      what: 'ksqlDB to report RUNNING',
      intervalMs: 500,
    });
  });
});

describe('forPort', () => {
  it('is ready once something accepts a connection on the port, and not yet before', async () => {
    const port = await freePort();
    const ready = forPort('127.0.0.1', port);
    expect(ready.what).toBe(`127.0.0.1:${port} to accept a connection`);
    expect(await ready.probe()).toEqual(new NotYet(`connect ECONNREFUSED 127.0.0.1:${port}`));
    const server = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await ready.probe()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
