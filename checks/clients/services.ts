/**
 * How checks reach the platform's services: every call has a timeout, and a service that cannot be reached is an
 * environment error naming the service, remembered for the rest of the run so a dead service costs one timeout, not
 * one per expectation.
 */
import kafkajs, { type Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { closeAtExit } from '#core/closers.js';
import { absentValue, absentVariable, type OptionalService, type WorkshopConfig } from '#core/config.js';
import { EnvironmentError } from '#core/errors.js';
import { kafkaClient } from '#core/kafka-client.js';

export type ServiceName =
  | 'Kafka'
  | 'Kafka Connect'
  | 'ksqlDB'
  | 'Schema Registry'
  | 'Flink'
  | 'Flink SQL Gateway'
  | 'MySQL'
  | 'Elasticsearch'
  | 'Kibana';

export class ServiceUnavailable extends EnvironmentError {
  constructor(
    readonly service: ServiceName,
    readonly address: string,
    detail: string,
    message = `${service} at ${address} is not reachable (${detail})`,
    hint = 'start the platform with npm run up, or see npm run status',
  ) {
    super(message, hint);
  }
}

/**
 * A service this platform does not run at all (its URL variable is "none", as the local stack hands out where it is
 * not installed): nothing is tried, and the error says so. Not the learner's doing: exit 3, like one that is down.
 */
export class ServiceAbsent extends ServiceUnavailable {
  constructor(service: OptionalService) {
    const variable = `${absentVariable[service]}=${absentValue}`;
    super(
      service,
      absentValue,
      variable,
      `${service} is not part of this platform (${variable})`,
      `what needs ${service} cannot be checked or solved here; to do so, set ${absentVariable[service]} to a ${service} server's address`,
    );
  }
}

/** A service answered 503: it is up but not ready (starting, or an index whose shards are starting). */
export class ServiceStarting extends EnvironmentError {
  constructor(
    readonly service: ServiceName,
    base: string,
  ) {
    super(`${service} at ${base} is still starting (HTTP 503)`, 'wait a moment and run the check again');
  }
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** Timeouts of one check run; tests shorten them. */
export interface Timeouts {
  connectMs: number;
  requestMs: number;
}

export const defaultTimeouts: Timeouts = { connectMs: 1_500, requestMs: 4_000 };

type Admin = ReturnType<Kafka['admin']>;

export class Services {
  private readonly down = new Map<ServiceName, ServiceUnavailable>();
  private kafkaClient: Kafka | undefined;
  private sharedAdmin: Promise<Admin> | undefined;

  constructor(
    readonly config: WorkshopConfig,
    readonly timeouts: Timeouts = defaultTimeouts,
    /**
     * Keep one Kafka admin connection for every call instead of one a call (a check makes a dozen). It is closed by
     * close(), or when the CLI's command ends (closers.ts).
     */
    private readonly keepConnection = false,
  ) {
    if (keepConnection) this.forget = closeAtExit(() => this.close());
  }

  private forget: (() => void) | undefined;

  async close(): Promise<void> {
    this.forget?.();
    const admin = await this.sharedAdmin?.catch(() => undefined);
    this.sharedAdmin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.kafka().admin();
    await admin.connect();
    return admin;
  }

  /** Whether this platform runs no such service at all (its URL variable is "none"). */
  isAbsent(service: ServiceName): boolean {
    return (this.config.absent as ServiceName[]).includes(service);
  }

  /** Throws ServiceAbsent for a service this platform does not run: for calls that do not go through http(). */
  requirePresent(service: ServiceName): void {
    if (this.isAbsent(service)) throw new ServiceAbsent(service as OptionalService);
  }

  /** Throws the remembered failure if the service was already found down in this run. */
  private guard(service: ServiceName): void {
    this.requirePresent(service);
    const failure = this.down.get(service);
    if (failure) throw failure;
  }

  private markDown(service: ServiceName, address: string, error: unknown): ServiceUnavailable {
    const detail = describeNetworkError(error);
    const failure = new ServiceUnavailable(service, address, detail);
    this.down.set(service, failure);
    return failure;
  }

  /** GET/PUT/DELETE a JSON API. Network errors, timeouts and 503 are environment errors; other statuses are returned. */
  async http<T = unknown>(
    service: ServiceName,
    base: string,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpAnswer<T>> {
    this.guard(service);
    let response: Response;
    let text: string;
    try {
      // The timeout covers the body too: a server that stalls mid-answer is as down as one that never answers.
      response = await fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs ?? this.timeouts.requestMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.markDown(service, base, error);
    }
    if (response.status === 503) throw new ServiceStarting(service, base);
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T };
  }

  connect<T = unknown>(path: string, init?: { method?: string; body?: unknown }) {
    return this.http<T>('Kafka Connect', this.config.connectUrl, path, init);
  }

  ksqldb<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ) {
    return this.http<T>('ksqlDB', this.config.ksqldbUrl, path, init);
  }

  /** Confluent Schema Registry's REST API; its errors carry `error_code` (40401 subject not found, 409, 422). */
  schemaRegistry<T = unknown>(path: string, init?: { method?: string; body?: unknown; timeoutMs?: number }) {
    return this.http<T>('Schema Registry', this.config.schemaRegistryUrl, path, {
      ...init,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    });
  }

  /** Apache Flink's JobManager REST API: /jobs/overview, /jobs/{id}. */
  flink<T = unknown>(path: string, init?: { method?: string; body?: unknown; timeoutMs?: number }) {
    return this.http<T>('Flink', this.config.flinkUrl, path, init);
  }

  /** Flink's SQL Gateway REST API (v3): sessions, statements, their results. */
  flinkSqlGateway<T = unknown>(path: string, init?: { method?: string; body?: unknown; timeoutMs?: number }) {
    return this.http<T>('Flink SQL Gateway', this.config.flinkSqlGatewayUrl, path, init);
  }

  elasticsearch<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ) {
    return this.http<T>('Elasticsearch', this.config.elasticsearchUrl, path, init);
  }

  /** Kibana's HTTP API: every call that changes something carries the kbn-xsrf header Kibana requires. */
  kibana<T = unknown>(path: string, init?: { method?: string; body?: unknown; timeoutMs?: number }) {
    return this.http<T>('Kibana', this.config.kibanaUrl, path, { ...init, headers: { 'kbn-xsrf': 'workshop-kit' } });
  }

  /**
   * Uploads a saved-objects file as Kibana's import takes it: multipart/form-data, the file in the field `file`, its
   * name ending .ndjson (https://www.elastic.co/docs/api/doc/kibana/operation/operation-post-saved-objects-import).
   */
  async kibanaImport<T = unknown>(path: string, fileName: string, content: string): Promise<HttpAnswer<T>> {
    this.guard('Kibana');
    const base = this.config.kibanaUrl;
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'application/ndjson' }), fileName);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'kbn-xsrf': 'workshop-kit', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(Math.max(30_000, this.timeouts.requestMs)),
      });
      text = await response.text();
    } catch (error) {
      throw this.markDown('Kibana', base, error);
    }
    if (response.status === 503) throw new ServiceStarting('Kibana', base);
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T };
  }

  /** A kafkajs client whose calls fail fast when the broker is down. */
  kafka(): Kafka {
    this.kafkaClient ??= kafkaClient({
      clientId: 'workshop-check',
      brokers: this.config.kafkaBootstrapServers,
      connectionTimeout: this.timeouts.connectMs,
      requestTimeout: this.timeouts.requestMs,
      retry: { retries: 0 },
    });
    return this.kafkaClient;
  }

  /** Runs `work` with a connected Kafka admin client; an unreachable broker is an environment error. */
  async withKafkaAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    try {
      return await this.onceWithKafkaAdmin(work);
    } catch (error) {
      // kafkajs keeps asking for the metadata of every topic a client has looked at: once one of them is deleted
      // (ksqlDB dropping a stream, say), each metadata refresh of that client fails. A new client knows none.
      if (this.keepConnection && unknownTopic(error)) {
        await this.close();
        if (this.keepConnection) this.forget = closeAtExit(() => this.close());
        return this.onceWithKafkaAdmin(work);
      }
      throw error;
    }
  }

  private async onceWithKafkaAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    this.guard('Kafka');
    let admin: Admin;
    try {
      if (this.keepConnection) {
        this.sharedAdmin ??= this.connectAdmin();
        admin = await this.sharedAdmin;
      } else {
        admin = await this.connectAdmin();
      }
    } catch (error) {
      this.sharedAdmin = undefined;
      throw this.markDown('Kafka', this.config.kafkaBootstrapServers.join(','), error);
    }
    try {
      return await work(admin);
    } catch (error) {
      // The broker answered, then refused or failed a request (a partition without a leader yet, a topic deleted
      // meanwhile): Kafka's trouble, not the learner's mistake and not a bug in the kit.
      if (error instanceof kafkajs.KafkaJSError) {
        throw Object.assign(
          new EnvironmentError(`Kafka: ${error.message}`, 'check that Kafka is up: npm run status, then try again'),
          { cause: error },
        );
      }
      throw error;
    } finally {
      if (!this.keepConnection) await admin.disconnect().catch(() => undefined);
    }
  }

  /** A query that gives up after the request timeout (a learner's open transaction can hold a lock for ever). */
  query(db: mysql.Connection, sql: string, values?: unknown[]) {
    return db.query({ sql, timeout: this.timeouts.requestMs, values });
  }

  /**
   * Runs `work` with a MySQL connection to the workshop database. A database error inside it (a missing table, a
   * lock timeout, a lost connection) is an environment error naming MySQL: the learner's steps never write there.
   */
  async withMysql<T>(work: (db: mysql.Connection) => Promise<T>): Promise<T> {
    this.guard('MySQL');
    const { host, port, user, password, database } = this.config.mysql;
    let db: mysql.Connection;
    try {
      // Loaded here, not at the top: only the checks that read MySQL pay for loading its client.
      const { default: client } = await import('mysql2/promise');
      db = await client.createConnection({
        host,
        port,
        user,
        password,
        database,
        connectTimeout: this.timeouts.connectMs,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR') {
        throw new EnvironmentError(
          `MySQL at ${host}:${port} refused the kit's user "${user}" or database "${database}": ${(error as Error).message}`,
          'check WORKSHOP_MYSQL_USER, WORKSHOP_MYSQL_PASSWORD and WORKSHOP_MYSQL_DATABASE (README, Configuration)',
        );
      }
      throw this.markDown('MySQL', `${host}:${port}`, error);
    }
    try {
      return await work(db);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (typeof code === 'string' && /^(ER_|PROTOCOL_|ECONN|ETIMEDOUT)/.test(code)) {
        throw new EnvironmentError(
          `MySQL at ${host}:${port} (database ${database}): ${(error as Error).message}`,
          code === 'ER_NO_SUCH_TABLE'
            ? 'the platform’s seed did not run: npm run down -- --volumes, then npm run up'
            : 'see npm run status and npm run logs -- mysql',
        );
      }
      throw error;
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}

/** Whether an error (or what caused it) is Kafka's "This server does not host this topic-partition". */
function unknownTopic(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
  }
  return false;
}

export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer before the timeout';
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens there';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code) return code;
  const message = cause?.message ?? (error as Error).message ?? String(error);
  if (/ECONNREFUSED|Connection error/.test(message)) return 'connection refused: nothing listens there';
  if (/timeout/i.test(message)) return 'no answer before the timeout';
  return message;
}
