/**
 * How a stack server declares that it is ready, as testcontainers' wait strategies do: an HTTP answer (`forHttp`), an
 * open TCP port (`forPort`), or a probe of its own where a server needs one (a Kafka metadata request, a MariaDB
 * query). `waitUntilReady` is the one wait for all of them: a deadline, an end at once when the process exits, and a
 * failure that names the server and shows the end of its log.
 */
import { connect } from 'node:net';
import type { ServerProcess } from '#core/process.js';
import { NotYet, waitFor } from '#core/wait.js';

export interface Readiness {
  /** What is awaited, for the messages: "Kafka Connect at http://127.0.0.1:8083 to list the connectors …". */
  what: string;
  /** True once the server is ready; a NotYet, or a thrown error, says why it is not yet. */
  probe: () => Promise<true | NotYet>;
  /** Between two probes; 250 ms unless told. */
  intervalMs?: number;
}

/** Waits until `process` is ready; a deadline passed or an exit ends the wait with `process.failure(...)`. */
export async function waitUntilReady(process: ServerProcess, ready: Readiness, timeoutMs: number): Promise<void> {
  try {
    await waitFor({
      what: ready.what,
      giveUpIf: () => process.exitDescription(),
      timeoutMs,
      intervalMs: ready.intervalMs ?? 250,
      probe: ready.probe,
    });
  } catch (error) {
    throw process.failure((error as Error).message);
  }
}

export interface HttpReadiness {
  /** What is awaited; "GET <url> to answer" unless told. */
  what?: string;
  /** The status that means ready: a number, a test, or any 2xx unless told. */
  status?: number | ((status: number) => boolean);
  /** Then the body, read as JSON (undefined when it is not JSON): true when ready, or a NotYet saying why not. */
  body?: (json: unknown, status: number) => true | NotYet;
  intervalMs?: number;
  /** How long one request may take: 2 s unless told. */
  requestTimeoutMs?: number;
}

/** Ready when a GET of `url` answers with the expected status (and, when given, a body that passes `body`). */
export function forHttp(url: string, options: HttpReadiness = {}): Readiness {
  const { pathname } = new URL(url);
  const expected = options.status ?? ((status: number) => status >= 200 && status < 300);
  const statusOk = typeof expected === 'number' ? (status: number) => status === expected : expected;
  const { body } = options;
  return {
    what: options.what ?? `GET ${url} to answer`,
    intervalMs: options.intervalMs,
    probe: async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(options.requestTimeoutMs ?? 2_000) });
      if (!statusOk(response.status) || !body) {
        // An unread body would hold its connection until collected.
        await response.body?.cancel().catch(() => undefined);
        return statusOk(response.status) ? true : new NotYet(`GET ${pathname} answered ${response.status}`);
      }
      return body(await response.json().catch(() => undefined), response.status);
    },
  };
}

export interface PortReadiness {
  /** What is awaited; "<host>:<port> to accept a connection" unless told. */
  what?: string;
  intervalMs?: number;
  /** How long one connection attempt may take: 1 s unless told. */
  connectTimeoutMs?: number;
}

/** Ready when something accepts a TCP connection on `host:port`. */
export function forPort(host: string, port: number, options: PortReadiness = {}): Readiness {
  const timeoutMs = options.connectTimeoutMs ?? 1_000;
  return {
    what: options.what ?? `${host}:${port} to accept a connection`,
    intervalMs: options.intervalMs,
    probe: () =>
      new Promise((resolve) => {
        const socket = connect({ host, port, timeout: timeoutMs });
        const end = (result: true | NotYet) => {
          socket.destroy();
          resolve(result);
        };
        socket.once('connect', () => end(true));
        socket.once('timeout', () => end(new NotYet(`no connection within ${timeoutMs} ms`)));
        socket.once('error', (error) => end(new NotYet(error.message)));
      }),
  };
}
