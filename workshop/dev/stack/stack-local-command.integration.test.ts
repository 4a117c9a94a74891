import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import { NotYet, waitFor } from '#core/wait.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { findKsqlDb, stackWithout } from './ksqldb.js';
import { findSchemaRegistry } from './schema-registry.js';

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** `npm run stack:local` as a child process, its output collected, stopped with SIGINT if a test ends first. */
function startStackLocal() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workshop/cli.ts', 'stack:local'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', WORKSHOP_STACK_WITH: '' },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A failed expectation must not leave a second stack running.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  });
  const ready = () =>
    waitFor({
      what: 'stack:local to print its exports',
      probe: async () => {
        if (child.exitCode !== null) throw new Error(`stack:local exited early:\n${output.stderr}`);
        return output.stdout.includes('# Press Ctrl-C') ? true : new NotYet('still starting');
      },
      timeoutMs: 180_000,
      intervalMs: 500,
    });
  return { child, output, exited, ready };
}

// It starts a second stack beside the shared one, so it runs where the shared one could start.
describeWithStack('npm run stack:local', () => {
  it('prints WORKSHOP_* exports, and on SIGINT stops every server, leaving no process or port behind', async () => {
    const { child, output, exited, ready } = startStackLocal();
    await ready();
    const { stdout, stderr } = output;
    const exports = Object.fromEntries(
      [...stdout.matchAll(/^export (WORKSHOP_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]] as [string, string]),
    );
    // ksqlDB's URL where a ksqlDB is installed (and not hidden by WORKSHOP_STACK_WITHOUT); without one the stack says
    // so, and hands out "none": the kit then knows it is absent, and talks to no default address.
    const install = findKsqlDb();
    const without = stackWithout();
    const ksqlDb = 'home' in install && !without.has('ksqldb');
    // The Schema Registry comes from the same install, where it has one.
    const registry = 'home' in install && 'home' in findSchemaRegistry(install.home) && !without.has('schema-registry');
    if (!ksqlDb) expect(stderr).toMatch(/ksqlDB absent: (no ksqlDB install|hidden by WORKSHOP_STACK_WITHOUT)/);
    if (!registry) expect(stderr).toContain('Schema Registry absent');
    if (!ksqlDb) expect(exports.WORKSHOP_KSQLDB_URL).toBe('none');
    if (!registry) expect(exports.WORKSHOP_SCHEMA_REGISTRY_URL).toBe('none');
    // Flink only when asked for (WORKSHOP_STACK_WITH=flink), which this start is not.
    expect(stderr).toContain('Flink not started: WORKSHOP_STACK_WITH=flink starts it');
    expect([exports.WORKSHOP_FLINK_URL, exports.WORKSHOP_FLINK_SQL_GATEWAY_URL]).toEqual(['none', 'none']);
    if (ksqlDb) expect(exports.WORKSHOP_HEADLESS_KSQLDB_HOME).toBe('home' in install ? install.home : '');
    expect(Object.keys(exports).sort()).toEqual([
      'WORKSHOP_CONNECT_ELASTICSEARCH_URL',
      'WORKSHOP_CONNECT_KAFKA_BOOTSTRAP_SERVERS',
      'WORKSHOP_CONNECT_MYSQL_HOST',
      'WORKSHOP_CONNECT_MYSQL_PORT',
      ...(registry ? ['WORKSHOP_CONNECT_SCHEMA_REGISTRY_URL'] : []),
      'WORKSHOP_CONNECT_URL',
      'WORKSHOP_DATABASE_FLAVOUR',
      'WORKSHOP_ELASTICSEARCH_URL',
      'WORKSHOP_FLINK_KAFKA_BOOTSTRAP_SERVERS',
      'WORKSHOP_FLINK_SQL_GATEWAY_URL',
      'WORKSHOP_FLINK_URL',
      // Step 15's headless server runs from the same ksqlDB install.
      ...(ksqlDb ? ['WORKSHOP_HEADLESS_KSQLDB_HOME'] : []),
      'WORKSHOP_KAFKA_BOOTSTRAP_SERVERS',
      'WORKSHOP_KIBANA_URL',
      'WORKSHOP_KSQLDB_URL',
      'WORKSHOP_MYSQL_DATABASE',
      'WORKSHOP_MYSQL_HOST',
      'WORKSHOP_MYSQL_PASSWORD',
      'WORKSHOP_MYSQL_PORT',
      'WORKSHOP_MYSQL_USER',
      'WORKSHOP_SCHEMA_REGISTRY_URL',
    ]);
    const ports = [
      Number(exports.WORKSHOP_KAFKA_BOOTSTRAP_SERVERS?.split(':')[1]),
      Number(new URL(exports.WORKSHOP_CONNECT_URL ?? '').port),
      Number(exports.WORKSHOP_MYSQL_PORT),
      Number(new URL(exports.WORKSHOP_ELASTICSEARCH_URL ?? '').port),
      Number(new URL(exports.WORKSHOP_KIBANA_URL ?? '').port),
      ...(ksqlDb ? [Number(new URL(exports.WORKSHOP_KSQLDB_URL ?? '').port)] : []),
      ...(registry ? [Number(new URL(exports.WORKSHOP_SCHEMA_REGISTRY_URL ?? '').port)] : []),
    ];
    for (const port of ports) expect(await portAnswers(port), `port ${port} answers`).toBe(true);
    const dir = /its files are in (\S+)/.exec(stderr)?.[1] ?? '';
    const pids = readFileSync(`${dir}/pids`, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(4 + (ksqlDb ? 1 : 0) + (registry ? 1 : 0));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.stderr).toContain('every server stopped');
    for (const port of ports) expect(await portAnswers(port), `port ${port} still answers`).toBe(false);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`), `process ${pid} still exists`).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('killed outright (SIGKILL), its watchdog stops every server within seconds', async () => {
    const { child, output, ready } = startStackLocal();
    await ready();

    const dir = /its files are in (\S+)/.exec(output.stderr)?.[1] ?? '';
    const pids = readFileSync(`${dir}/pids`, 'utf8').trim().split('\n').map(Number);
    child.kill('SIGKILL');
    // The watchdog polls every second, sends SIGTERM to each server's process group, and SIGKILL 10 s later.
    await waitFor({
      what: 'every server of the killed stack to be gone',
      timeoutMs: 30_000,
      intervalMs: 500,
      probe: async () => {
        // A zombie has ended: only its exit status waits for a parent (here the killed process's) to collect it.
        const alive = pids.filter(
          (pid) => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
        );
        return alive.length === 0 ? true : new NotYet(`still running: ${alive.join(', ')}`);
      },
    });
  }, 240_000);
});
