/**
 * Kafka Connect's start: time from launching the worker to its REST API listing every connector the course needs,
 * with plugin.discovery=service_load (what the kit uses) against only_scan (every plugin class loaded by
 * reflection, as before Kafka 3.6), alternating on one Kafka so both see the same machine. Also the plugins each
 * mode lists, to show nothing the course needs went missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { progress } from '../output.js';
import { resolveArtifacts } from '../stack/artifacts.js';
import { type PluginDiscovery, requiredConnectorClasses, startConnect } from '../stack/connect.js';
import { startKafka } from '../stack/kafka.js';
import { findTools } from '../stack/prerequisites.js';
import { median } from '../testing/stats.js';
import { printTable } from './stack-bench.js';

export async function benchConnect(runs: number): Promise<void> {
  const tools = findTools();
  const artifacts = await resolveArtifacts({ mvn: tools.mvn, javaHome: tools.javaHome });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workshop-bench-connect-'));
  const kafka = await startKafka({
    java: tools.java,
    classpath: artifacts.kafkaClasspath,
    dir: path.join(dir, 'kafka'),
  });
  const times: Record<PluginDiscovery, number[]> = { service_load: [], only_scan: [] };
  const listed: Record<PluginDiscovery, number> = { service_load: 0, only_scan: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of ['only_scan', 'service_load'] as const) {
        progress(`Kafka Connect with plugin.discovery=${mode}, run ${i + 1} of ${runs}`);
        const started = performance.now();
        const connect = await startConnect({
          java: tools.java,
          classpath: artifacts.kafkaClasspath,
          pluginPath: artifacts.connectPluginPath,
          bootstrapServers: kafka.bootstrapServers,
          dir: path.join(dir, `connect-${mode}-${i}`),
          pluginDiscovery: mode,
          timeoutMs: 180_000,
        });
        times[mode].push(performance.now() - started);
        const plugins = await fetch(`${connect.url}/connector-plugins?connectorsOnly=false`, {
          signal: AbortSignal.timeout(5_000),
        });
        listed[mode] = ((await plugins.json()) as unknown[]).length;
        await connect.server.stop();
      }
    }
  } finally {
    await kafka.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const scan = median(times.only_scan);
  const load = median(times.service_load);
  printTable(
    `Kafka Connect: launch to listing ${requiredConnectorClasses.length} course connectors (median of ${runs}, one Kafka, load ${os.loadavg()[0]?.toFixed(1)})`,
    ['plugin.discovery', 'ready', 'plugins listed', 'vs only_scan'],
    [
      ['only_scan (before)', `${(scan / 1000).toFixed(1)} s`, String(listed.only_scan), '1.00'],
      [
        'service_load (the kit)',
        `${(load / 1000).toFixed(1)} s`,
        String(listed.service_load),
        (load / scan).toFixed(2),
      ],
    ],
  );
}
