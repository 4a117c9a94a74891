/**
 * Kafka Connect's start: time from launching the worker to its REST API listing every connector the course needs,
 * with plugin.discovery=service_load (what the kit uses) against only_scan (every plugin class loaded by
 * reflection, as before Kafka 3.6), alternating on one Kafka so both see the same machine. Also the plugins each
 * mode lists, to show nothing the course needs went missing. Where a Confluent install is there (the stack then gives
 * Connect the Avro converter for step 11), a third row: service_load with that plugin folder too.
 */
import os from 'node:os';
import path from 'node:path';
import { progress } from '#core/output.js';
import { ensureAvroConverterPlugin } from '#workshop/dev/stack/artifacts.js';
import { type PluginDiscovery, requiredConnectorClasses, startConnect } from '#workshop/dev/stack/connect.js';
import { findKsqlDb } from '#workshop/dev/stack/ksqldb.js';
import { median } from '#workshop/dev/testing/stats.js';
import { startBenchKafka } from './bench-kafka.js';
import { printTable } from './stack-bench.js';

export async function benchConnect(runs: number): Promise<void> {
  const { tools, artifacts, dir, kafka, stop } = await startBenchKafka('connect');
  type Mode = PluginDiscovery | 'service_load+avro';
  const times: Record<Mode, number[]> = { service_load: [], only_scan: [], 'service_load+avro': [] };
  const listed: Record<Mode, number> = { service_load: 0, only_scan: 0, 'service_load+avro': 0 };
  const ksql = findKsqlDb();
  const avroPluginPath =
    'home' in ksql
      ? await ensureAvroConverterPlugin(tools.javaHome, artifacts, ksql.home).catch(() => undefined)
      : undefined;
  const modes: Mode[] = ['only_scan', 'service_load', ...(avroPluginPath ? (['service_load+avro'] as const) : [])];
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of modes) {
        progress(`Kafka Connect with plugin.discovery=${mode}, run ${i + 1} of ${runs}`);
        const started = performance.now();
        const connect = await startConnect({
          java: tools.java,
          classpath: artifacts.kafkaClasspath,
          pluginPath:
            mode === 'service_load+avro'
              ? `${artifacts.connectPluginPath},${avroPluginPath}`
              : artifacts.connectPluginPath,
          bootstrapServers: kafka.bootstrapServers,
          dir: path.join(dir, `connect-${mode}-${i}`),
          pluginDiscovery: mode === 'only_scan' ? 'only_scan' : 'service_load',
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
    await stop();
  }
  const scan = median(times.only_scan);
  const load = median(times.service_load);
  const avro = avroPluginPath ? median(times['service_load+avro']) : undefined;
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
      ...(avro === undefined
        ? []
        : [
            [
              'service_load + Avro converter (step 11)',
              `${(avro / 1000).toFixed(1)} s`,
              String(listed['service_load+avro']),
              (avro / scan).toFixed(2),
            ],
          ]),
    ],
  );
}
