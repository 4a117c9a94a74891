/**
 * A single Elasticsearch node from Elastic's minimal distribution, security off, bound to 127.0.0.1. Elasticsearch
 * refuses to run as root, so when the kit is root the node runs as the unprivileged user "nobody".
 */
import { execFileSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerProcess } from '#core/process.js';
import { NotYet } from '#core/wait.js';
import { extraJvmOptions, heapOptions } from './jvm-options.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePorts } from './ports.js';
import { forHttp } from './readiness.js';

export interface ElasticsearchServer {
  server: ManagedServer;
  url: string;
}

export interface ElasticsearchOptions {
  home: string;
  javaHome: string;
  dir: string;
  heapMb?: number;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
}

function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir)) {
    const child = path.join(dir, entry);
    if (statSync(child).isDirectory()) chownTree(child, owner);
    else chownSync(child, owner.uid, owner.gid);
  }
}

export async function startElasticsearch(options: ElasticsearchOptions): Promise<ElasticsearchServer> {
  const [httpPort, transportPort] = (await freePorts(2)) as [number, number];
  const dir = options.dir;
  const configDir = path.join(dir, 'config');
  mkdirSync(dir, { recursive: true });
  // The distribution's config folder (jvm.options, log4j2.properties) copied so the shared home stays read-only.
  cpSync(path.join(options.home, 'config'), configDir, { recursive: true });
  for (const sub of ['data', 'logs', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(
    path.join(configDir, 'elasticsearch.yml'),
    [
      'cluster.name: workshop-local',
      'node.name: local',
      'discovery.type: single-node',
      'network.host: 127.0.0.1',
      `http.port: ${httpPort}`,
      `transport.port: ${transportPort}`,
      `path.data: ${path.join(dir, 'data')}`,
      `path.logs: ${path.join(dir, 'logs')}`,
      'xpack.security.enabled: false',
      // A test machine's disk may be fuller than production thresholds allow; shards must still be allocated.
      'cluster.routing.allocation.disk.threshold_enabled: false',
      'action.destructive_requires_name: false',
      '',
    ].join('\n'),
  );
  const owner = unprivilegedUser();
  if (owner) chownTree(dir, owner);
  const url = `http://127.0.0.1:${httpPort}`;
  const server = await startServer({
    name: 'Elasticsearch',
    launch: {
      command: path.join(options.home, 'bin', 'elasticsearch'),
      args: [],
      logPath: path.join(dir, 'elasticsearch.out'),
      env: {
        PATH: process.env.PATH,
        ES_JAVA_HOME: options.javaHome,
        ES_PATH_CONF: configDir,
        ES_TMPDIR: path.join(dir, 'tmp'),
        ES_JAVA_OPTS: [...heapOptions(options.heapMb ?? 512), ...extraJvmOptions()].join(' '),
        HOME: dir,
      },
      cwd: dir,
      ...owner,
    },
    ready: forHttp(`${url}/_cluster/health`, {
      what: `Elasticsearch at ${url} to report cluster health green or yellow`,
      intervalMs: 500,
      body: (json) => {
        const status = (json as { status?: string } | undefined)?.status;
        return status === 'green' || status === 'yellow' ? true : new NotYet(`cluster health ${status}`);
      },
    }),
    timeoutMs: options.timeoutMs ?? 180_000,
    onLaunch: options.onLaunch,
  });
  return { server, url };
}
