/**
 * Stand-ins for the servers that cannot run on the kit's CI machines (ksqlDB, Kibana): small HTTP servers on
 * 127.0.0.1 that answer the documented endpoints with the real servers' documented shapes. Used only where the real
 * server is impossible; tests under Docker use the real ones.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: unknown;
  /** A page for a person's browser, sent as HTML in place of the JSON body. */
  html?: string;
}

export type Route = (request: IncomingMessage, body: string) => Answer | undefined | Promise<Answer | undefined>;

export interface StandIn {
  url: string;
  close(): Promise<void>;
}

export async function startStandIn(route: Route): Promise<StandIn> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      let answer: Answer | undefined;
      try {
        answer = await route(request, body);
      } catch (error) {
        answer = { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: String(error) } };
      }
      answer ??= { status: 404, body: { message: `no route ${request.method} ${request.url}` } };
      if (answer.html !== undefined) {
        response.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(answer.html);
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * ksqlDB: GET /info and /healthcheck as a RUNNING server answers them; 503 with generic_error while starting.
 * Statements (POST /ksql) and queries (POST /query-stream) go to `answer` when given (a test's scripted server,
 * workshop/dev/testing/ksqldb-standin.ts); without it, a server with no streams, tables or queries.
 */
export function ksqldbStandIn(state: { starting: boolean } = { starting: false }, answer?: Route): Promise<StandIn> {
  return startStandIn((request, body) => {
    if (state.starting) {
      return {
        status: 503,
        body: { '@type': 'generic_error', error_code: 50302, message: 'KSQL is not yet ready to serve requests.' },
      };
    }
    if (request.method === 'GET' && request.url === '/info') {
      return {
        status: 200,
        body: {
          KsqlServerInfo: {
            version: '8.1.0',
            kafkaClusterId: 'stand-in-cluster',
            ksqlServiceId: 'default_',
            serverStatus: 'RUNNING',
          },
        },
      };
    }
    if (request.method === 'GET' && request.url === '/healthcheck') {
      return {
        status: 200,
        body: {
          isHealthy: true,
          details: { metastore: { isHealthy: true }, kafka: { isHealthy: true }, commandRunner: { isHealthy: true } },
          serverState: 'READY',
        },
      };
    }
    if (answer) return answer(request, body);
    if (request.method === 'POST' && request.url === '/ksql') {
      // An empty server, as a real one answers these statements (ksqlDB 8.0.7: LIST STREAMS, LIST TABLES, SHOW QUERIES).
      const statements = String((JSON.parse(body || '{}') as { ksql?: string }).ksql ?? '')
        .split(';')
        .map((text) => text.trim())
        .filter(Boolean);
      const missing = statements.map((text) => /^DESCRIBE\s+(\S+)/i.exec(text)?.[1]).find(Boolean);
      if (missing) {
        return {
          status: 400,
          body: {
            '@type': 'statement_error',
            error_code: 40001,
            message: `Could not find STREAM/TABLE '${missing}' in the Metastore`,
            statementText: `${statements[0]};`,
            entities: [],
          },
        };
      }
      const entities = statements.map((text) => {
        const list = /^(LIST|SHOW)\s+(STREAMS|TABLES|QUERIES)$/i.exec(text)?.[2]?.toLowerCase();
        if (!list) return undefined;
        return { '@type': list, statementText: `${text};`, [list]: [], warnings: [] };
      });
      if (entities.some((e) => e === undefined)) {
        return {
          status: 400,
          body: {
            '@type': 'statement_error',
            error_code: 40001,
            message: 'not answered by the empty stand-in',
            entities: [],
          },
        };
      }
      return { status: 200, body: entities };
    }
    return undefined;
  });
}
