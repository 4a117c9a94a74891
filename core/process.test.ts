import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTools, MissingPrerequisites } from '#workshop/dev/stack/prerequisites.js';
import { EnvironmentError } from './errors.js';
import { ServerProcess } from './process.js';
import { NotYet, waitFor } from './wait.js';

/** Alive: neither gone nor a zombie waiting for a parent that will not reap it. */
function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'server-process-test-'));

describe('ServerProcess', () => {
  it('reports a server that dies while starting with its name, the last lines of its log and the path', async () => {
    const logPath = path.join(scratch(), 'broken.log');
    const server = ServerProcess.start({
      name: 'Broken server',
      command: 'sh',
      args: ['-c', 'for i in $(seq 1 40); do echo "line $i"; done; echo "FATAL: port already in use" >&2; exit 7'],
      logPath,
    });
    const failure = await waitFor<true>({
      what: 'the broken server to answer',
      giveUpIf: () => server.exitDescription(),
      probe: async () => new NotYet('not listening'),
      timeoutMs: 30_000,
      intervalMs: 20,
    }).then(
      () => {
        throw new Error('the broken server was reported ready');
      },
      (error: Error) => server.failure(error.message),
    );
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect(failure.message).toContain('Broken server did not start: gave up waiting for the broken server to answer');
    expect(failure.message).toContain('Broken server exited with code 7');
    expect(failure.message).toContain(`--- last lines of ${logPath} ---`);
    expect(failure.message).toContain('FATAL: port already in use');
    expect(failure.message).toContain('line 40');
    expect(failure.message).not.toContain('line 10\n');
    expect(readFileSync(logPath, 'utf8')).toContain('line 1\n');
  });

  it('stops the whole process group, children included', async () => {
    const dir = scratch();
    const childPidFile = path.join(dir, 'child.pid');
    const server = ServerProcess.start({
      name: 'Parent',
      command: 'sh',
      // A script that starts a long-running child, as Elasticsearch's start script starts its JVM.
      args: ['-c', `sleep 300 & echo $! > ${childPidFile}; wait`],
      logPath: path.join(dir, 'parent.log'),
    });
    const childPid = await waitFor({
      what: 'the child to start',
      probe: async () => Number(readFileSync(childPidFile, 'utf8').trim()) || new NotYet('no pid yet'),
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    await server.stop(5_000);
    expect(server.running).toBe(false);
    expect(isAlive(childPid)).toBe(false);
  });

  it('reports a command that does not exist', async () => {
    const server = ServerProcess.start({
      name: 'Ghost',
      command: '/nonexistent/ghostd',
      args: [],
      logPath: path.join(scratch(), 'ghost.log'),
    });
    await server.whenExited();
    expect(server.exitDescription()).toBe('Ghost could not be started: spawn /nonexistent/ghostd ENOENT');
    expect(server.running).toBe(false);
  });
});

describe('findTools', () => {
  it('lists every missing prerequisite in one message, with how to install it', () => {
    let error: unknown;
    try {
      findTools({ PATH: '/nonexistent' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingPrerequisites);
    const message = (error as MissingPrerequisites).message;
    expect(message).toContain('the local stack needs software this machine lacks:');
    expect(message).toContain('Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless');
    expect(message).toContain('Apache Maven (Debian/Ubuntu: apt-get install maven');
  });
});
