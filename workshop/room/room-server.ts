/**
 * The room server: the one part of the kit that listens beyond 127.0.0.1, so everything it takes is checked. A report
 * needs the join code; every body is size-limited and validated (400 and no change otherwise); each learner and each
 * wrong-code address is rate-limited; the page is read-only; removing a learner or resetting the room is for the
 * instructor's own machine only (a loopback address, from a loopback page). node:http is enough for five routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pageCss, pageHtml, pageScript } from './room-page.js';
import {
  codeOf,
  codesMatch,
  GroupCommit,
  Invalid,
  limits,
  newRoom,
  parseHello,
  parseReport,
  RateLimiter,
  Room,
  type RoomData,
  showCode,
  writeRoomAtomically,
} from './room-state.js';

export interface RoomServerOptions {
  data: RoomData;
  steps: readonly { id: string; title: string }[];
  /** Where the state is kept; every accepted change is there before the sender hears "ok". */
  file: string;
  host: string;
  port: number;
  /** The join line's address, as the learners should type it (the page shows it). */
  joinUrl?: (port: number) => string;
  now?: () => number;
  /** Told of each learner the room had not seen (for the instructor's terminal). */
  onNewLearner?: (name: string) => void;
}

export interface RoomServer {
  server: Server;
  port: number;
  room: Room;
  /** Waits for the state on disk, then closes every connection. */
  close(): Promise<void>;
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** A refusal with its status; the message goes back as JSON. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const loopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/**
 * Admin requests: from this machine, and (against a web page in the instructor's browser posting here, or DNS
 * rebinding) with a loopback Host and, when the browser names one, a loopback Origin.
 */
function fromInstructor(request: IncomingMessage): boolean {
  if (!loopback(request.socket.remoteAddress)) return false;
  const hostName = (value: string | undefined) => {
    try {
      return value === undefined ? undefined : new URL(value.includes('://') ? value : `http://${value}`).hostname;
    } catch {
      return '';
    }
  };
  const local = (name: string | undefined) => name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
  if (!local(hostName(request.headers.host))) return false;
  const origin = request.headers.origin;
  return origin === undefined || local(hostName(origin));
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      reject(new Refused(400, 'send the body as application/json'));
      return;
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limits.bodyBytes) {
      reject(new Refused(413, `a body is at most ${limits.bodyBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.bodyBytes) {
        reject(new Refused(413, `a body is at most ${limits.bodyBytes} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Refused(400, 'the body is not JSON'));
      }
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...securityHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The most a page's unread updates may hold before it is dropped. */
const maxViewerBacklogBytes = 256 * 1024;

export async function startRoomServer(options: RoomServerOptions): Promise<RoomServer> {
  const now = options.now ?? Date.now;
  let room = new Room(options.data, options.steps);
  const commit = new GroupCommit(() => writeRoomAtomically(options.file, room.data));
  // A learner checks every 2 s at most (check --watch): bursts of 5, then one a second.
  const perLearner = new RateLimiter(5, 1, now);
  // Wrong codes: 10 at once, then one every 6 s per address; 40 bits of code stay out of reach.
  const wrongCodes = new RateLimiter(10, 1 / 6, now);
  // And for the whole room, however many addresses guess: 100 at once, then two a second.
  const wrongCodesEverywhere = new RateLimiter(100, 2, now);
  const viewers = new Set<{ response: ServerResponse; address: string; admin: boolean; projector: boolean }>();
  let port = options.port;
  const joinLine = () =>
    `npm run join -- ${options.joinUrl?.(port) ?? `http://127.0.0.1:${port}`} ${showCode(room.code)} --name "Your name"`;

  // Pushes the room to every open page, at most every 200 ms however many reports arrive.
  let pushTimer: NodeJS.Timeout | undefined;
  const push = () => {
    if (pushTimer) return;
    pushTimer = setTimeout(() => {
      pushTimer = undefined;
      const cache = new Map<string, string>();
      for (const viewer of viewers) {
        const key = `${viewer.admin}/${viewer.projector}`;
        let frame = cache.get(key);
        if (frame === undefined) {
          frame = `event: room\ndata: ${JSON.stringify(view(viewer))}\n\n`;
          cache.set(key, frame);
        }
        // A page that stops reading (a laptop asleep) is dropped before its backlog grows: it reconnects on waking.
        if (viewer.response.writableLength > maxViewerBacklogBytes) viewer.response.destroy();
        else viewer.response.write(frame);
      }
    }, 200);
  };

  /**
   * What a page sees. The join line (with the code) and the names only on the instructor's own machine: anyone else
   * on the network who opens the page sees the room as the projector shows it, without the code to report with.
   */
  const view = (viewer: { admin: boolean; projector: boolean }) => ({
    ...room.snapshot(now(), { admin: viewer.admin, projector: viewer.projector || !viewer.admin }),
    ...(viewer.admin ? { join: joinLine() } : {}),
  });

  function checkCode(request: IncomingMessage, body: unknown): void {
    const address = request.socket.remoteAddress ?? 'unknown';
    // An address out of tries is refused before its code is looked at, right or wrong: a guess then tells nothing.
    if (!wrongCodes.has(address) || !wrongCodesEverywhere.has('room')) {
      throw new Refused(429, 'too many wrong codes: wait a minute');
    }
    if (codesMatch(codeOf(body), room.code)) return;
    wrongCodes.take(address);
    wrongCodesEverywhere.take('room');
    throw new Refused(403, 'wrong join code: copy the code shown on the projector');
  }

  /**
   * A learner's request, parsed, once it may come in: the join code is right, the body is what `parse` takes, the
   * instructor has not removed the learner, the room has a place for them, and they ask at most once a second
   * (`tooMany` names what they sent too often).
   */
  async function admit<T extends { learnerId: string }>(
    request: IncomingMessage,
    parse: (body: unknown) => T,
    tooMany: string,
  ): Promise<T> {
    const body = await readBody(request);
    checkCode(request, body);
    const parsed = parse(body);
    if (room.isKicked(parsed.learnerId)) throw new Refused(403, 'the instructor removed you from this room');
    if (!room.hasRoomFor(parsed.learnerId)) throw new Refused(403, `the room is full (${limits.learners} learners)`);
    if (!perLearner.take(parsed.learnerId)) throw new Refused(429, `too many ${tooMany}: at most one a second`);
    return parsed;
  }

  async function report(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const steps = options.steps.map((s) => s.id);
    const parsed = await admit(request, (body) => parseReport(body, steps), 'reports');
    if (room.apply(parsed, now())) options.onNewLearner?.(parsed.name);
    await commit.commit();
    push();
    send(response, 200, { ok: true });
  }

  async function hello(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = await admit(request, parseHello, 'requests');
    if (room.hello(parsed, now())) options.onNewLearner?.(parsed.name);
    await commit.commit();
    push();
    send(response, 200, { ok: true, steps: options.steps.length });
  }

  async function admin(request: IncomingMessage, response: ServerResponse, action: string): Promise<void> {
    if (!fromInstructor(request)) throw new Refused(403, "only the instructor's own machine (127.0.0.1) can do that");
    const body = await readBody(request);
    if (action === 'kick') {
      const id = (body as { learnerId?: unknown } | null)?.learnerId;
      if (typeof id !== 'string' || id.length > 64) throw new Invalid('learnerId is missing');
      room.kick(id);
    } else {
      room = new Room(newRoom(now()), options.steps);
    }
    await commit.commit();
    push();
    send(response, 200, { ok: true, ...(action === 'reset' ? { code: showCode(room.code) } : {}) });
  }

  function events(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const instructor = fromInstructor(request);
    const address = request.socket.remoteAddress ?? 'unknown';
    // The instructor's own pages always get in; others are limited, in all and per address.
    if (!instructor) {
      const others = [...viewers].filter((v) => !v.admin);
      if (others.length >= 200) throw new Refused(503, 'too many pages open on this room');
      if (others.filter((v) => v.address === address).length >= 5) {
        throw new Refused(503, 'too many pages open on this room from this address');
      }
    }
    response.writeHead(200, {
      ...securityHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    const viewer = {
      response,
      address,
      // The learner ids (for removing) only to the instructor's own page.
      admin: instructor,
      projector: url.searchParams.has('projector'),
    };
    viewers.add(viewer);
    // Reconnect quickly after a restart of the room.
    response.write(`retry: 1000\nevent: room\ndata: ${JSON.stringify(view(viewer))}\n\n`);
    response.on('close', () => viewers.delete(viewer));
  }

  function staticFile(response: ServerResponse, type: string, body: string): void {
    response.writeHead(200, { ...securityHeaders, 'content-type': `${type}; charset=utf-8` });
    response.end(body);
  }

  const server = createServer({ connectionsCheckingInterval: 1_000 }, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://room.invalid');
    const route = `${request.method} ${url.pathname}`;
    const handle = async () => {
      switch (route) {
        case 'GET /':
          return staticFile(response, 'text/html', pageHtml);
        case 'GET /room.js':
          return staticFile(response, 'text/javascript', pageScript);
        case 'GET /room.css':
          return staticFile(response, 'text/css', pageCss);
        case 'GET /favicon.ico':
          response.writeHead(204, securityHeaders);
          return response.end();
        case 'GET /api/events':
          return events(request, response, url);
        case 'GET /api/room':
          return send(
            response,
            200,
            view({ admin: fromInstructor(request), projector: url.searchParams.has('projector') }),
          );
        case 'POST /api/report':
          return report(request, response);
        case 'POST /api/hello':
          return hello(request, response);
        case 'POST /api/admin/kick':
          return admin(request, response, 'kick');
        case 'POST /api/admin/reset':
          return admin(request, response, 'reset');
        default:
          throw new Refused(url.pathname.startsWith('/api/') || url.pathname === '/' ? 405 : 404, `no ${route}`);
      }
    };
    handle().catch((error: unknown) => {
      if (error instanceof Refused) send(response, error.status, { error: error.message });
      else if (error instanceof Invalid) send(response, 400, { error: error.message });
      else send(response, 500, { error: 'the room failed to keep this; try again' });
    });
  });
  // Slow senders cannot hold connections open: a whole request within 10 s, its headers within 5 s (looked at every
  // second, not Node's default 30), and no more connections than a laptop's open files allow.
  server.maxConnections = 1_000;
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  // Keeps the pages' connections alive through idle minutes (and through proxies that close silent ones).
  const heartbeat = setInterval(() => {
    for (const viewer of viewers) viewer.response.write(': still here\n\n');
  }, 15_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  // The room as it starts is on disk before anyone is told where it is: a new room's code survives a restart.
  await commit.commit();

  return {
    server,
    port,
    get room() {
      return room;
    },
    close: async () => {
      clearInterval(heartbeat);
      if (pushTimer) clearTimeout(pushTimer);
      await commit.commit();
      for (const viewer of viewers) viewer.response.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
