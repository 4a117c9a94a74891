/**
 * The one way the local stack starts a server (`startServer`): launch its process, then wait until it declares itself
 * ready (see readiness.ts). The server it returns can be stopped and started again on the same ports and data: how
 * tests take a server away (a broker restart, a check meeting a stopped service) and bring it back.
 */
import { ServerProcess, type StartOptions } from '#core/process.js';
import { type Readiness, waitUntilReady } from './readiness.js';

export interface StartServerOptions {
  /** Shown in every message: "Kafka", "MariaDB". */
  name: string;
  /** The process to run, the same at every start. */
  launch: Omit<StartOptions, 'name'>;
  /** When it is ready to serve. */
  ready: Readiness;
  /** How long it may take to be ready, at every start. */
  timeoutMs: number;
  /** Told of every process launched (a restart's too). */
  onLaunch?: (process: ServerProcess) => void;
}

/**
 * Launches the server and waits until it is ready. A server that is not ready by the deadline, or that exits first,
 * is stopped, and the error (from `process.failure(...)`) names it and shows the end of its log.
 */
export async function startServer(options: StartServerOptions): Promise<ManagedServer> {
  const server = new ManagedServer(options);
  await server.whenReady();
  return server;
}

class ManagedServer {
  private current: ServerProcess;
  private readonly stopListeners: ((process: ServerProcess) => void)[] = [];

  constructor(private readonly options: StartServerOptions) {
    this.current = this.launch();
  }

  get name(): string {
    return this.options.name;
  }

  get process(): ServerProcess {
    return this.current;
  }

  get running(): boolean {
    return this.current.running;
  }

  /** Told of every process once `stop` has ended it, its whole process group included. */
  onStop(listener: (process: ServerProcess) => void): void {
    this.stopListeners.push(listener);
  }

  async stop(): Promise<void> {
    await this.current.stop();
    for (const listener of this.stopListeners) listener(this.current);
  }

  /** Starts a stopped server again, with the same configuration, and waits until it is ready. */
  async restart(): Promise<void> {
    if (this.current.running) throw new Error(`${this.name} is running; stop it before starting it again`);
    this.current = this.launch();
    await this.whenReady();
  }

  /** Waits until the process launched last is ready; one that is not is stopped, and the failure thrown. */
  async whenReady(): Promise<void> {
    try {
      await waitUntilReady(this.current, this.options.ready, this.options.timeoutMs);
    } catch (error) {
      await this.current.stop();
      throw error;
    }
  }

  private launch(): ServerProcess {
    const launched = ServerProcess.start({ ...this.options.launch, name: this.options.name });
    this.options.onLaunch?.(launched);
    return launched;
  }
}

export type { ManagedServer };
