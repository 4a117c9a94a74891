/**
 * A server that can be stopped and started again on the same ports and data: how tests take a server away (a broker
 * restart, a check meeting a stopped service) and bring it back.
 */
import type { ServerProcess } from '#core/process.js';

export class ManagedServer {
  private current: ServerProcess;
  private readonly listeners: ((process: ServerProcess) => void)[] = [];
  private readonly stopListeners: ((process: ServerProcess) => void)[] = [];

  private constructor(
    readonly name: string,
    private readonly launch: () => ServerProcess,
    private readonly ready: (process: ServerProcess) => Promise<void>,
  ) {
    this.current = launch();
  }

  /**
   * Launches the server and waits until `ready` resolves. `ready` throws when the deadline passes or the process
   * exits; the error should come from `process.failure(...)` so it names the server and shows its log.
   */
  static async start(
    name: string,
    launch: () => ServerProcess,
    ready: (process: ServerProcess) => Promise<void>,
    onLaunch?: (process: ServerProcess) => void,
  ): Promise<ManagedServer> {
    const server = new ManagedServer(name, launch, ready);
    if (onLaunch) server.onLaunch(onLaunch);
    try {
      await ready(server.current);
    } catch (error) {
      await server.current.stop();
      throw error;
    }
    return server;
  }

  get process(): ServerProcess {
    return this.current;
  }

  get running(): boolean {
    return this.current.running;
  }

  /** Told of every process launched from now on (the first one too, if registered through start). */
  onLaunch(listener: (process: ServerProcess) => void): void {
    this.listeners.push(listener);
    listener(this.current);
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
    for (const listener of this.listeners) listener(this.current);
    await this.ready(this.current);
  }
}
