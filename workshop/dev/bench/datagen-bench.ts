/**
 * Data generator throughput: `datagen ratings --rate max` and `datagen syslog --rate max`, each side by side with Kafka's
 * own producer benchmark
 * (org.apache.kafka.tools.ProducerPerformance, the class kafka-producer-perf-test.sh runs), in the same run, against
 * the same local broker, with the same number of records of the same size (the generator's average value size).
 * Both use their defaults for durability: acks=all and an idempotent producer. Goal: the generator reaches at least
 * half of the Java tool's records per second.
 *
 * Rounds alternate the two tools so that neither always meets a warmer broker; the best round of each is compared.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kafkaClient } from '#core/kafka-client.js';
import { progress } from '#core/output.js';
import { repoPath, repoRoot } from '#core/state-dir.js';
import type { RatingsSummary } from '#datagen/ratings-producer.js';
import { startBenchKafka } from './bench-kafka.js';
import { printTable } from './stack-bench.js';

const run = promisify(execFile);
const cli = repoPath('workshop/cli.ts');

export const throughputGoal = 0.5;

interface Measurement {
  tool: string;
  records: number;
  recordBytes: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
}

async function createTopic(bootstrapServers: string, topic: string): Promise<void> {
  const admin = kafkaClient({ brokers: bootstrapServers }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

type Generator = 'ratings' | 'syslog';

/** The generator as a learner runs it, in its own process; it measures from its first claim to its last ack. */
async function measureDatagen(
  generator: Generator,
  bootstrapServers: string,
  records: number,
  topic: string,
): Promise<Measurement> {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      'datagen',
      generator,
      '--rate',
      'max',
      '--count',
      String(records),
      '--topic',
      topic,
      '--seed',
      '1',
      '--json',
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, WORKSHOP_KAFKA_BOOTSTRAP_SERVERS: bootstrapServers },
      timeout: 15 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RatingsSummary;
  if (summary.acknowledged !== records) {
    throw new Error(`datagen acknowledged ${summary.acknowledged} of ${records} records`);
  }
  return {
    tool: `datagen ${generator} (${summary.producers} producers)`,
    records,
    recordBytes: summary.valueBytes / summary.acknowledged,
    recordsPerSecond: summary.recordsPerSecond,
    megabytesPerSecond: summary.megabytesPerSecond,
  };
}

/** Kafka's producer perf test; its last line: "N records sent, R records/sec (M MB/sec), ...". */
async function measureJavaTool(
  java: string,
  classpath: string,
  bootstrapServers: string,
  records: number,
  recordBytes: number,
  topic: string,
): Promise<Measurement> {
  await createTopic(bootstrapServers, topic);
  const { stdout } = await run(
    java,
    [
      '-cp',
      classpath,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordBytes),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bootstrapServers}`,
      'acks=all',
      'enable.idempotence=true',
    ],
    { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  // Progress lines come every few seconds; the final one also carries the latency percentiles.
  const final = stdout.split('\n').find((line) => line.includes(' 50th'));
  const total = /^(\d+) records sent, ([\d.]+) records\/sec/.exec(final?.trim() ?? '');
  const perSecond = Number(total?.[2]);
  if (!total || Number(total[1]) !== records) {
    throw new Error(`the Java tool's output has no final line for ${records} records:\n${stdout}`);
  }
  return {
    tool: `kafka-producer-perf-test (Java, ${recordBytes} B)`,
    records,
    recordBytes,
    recordsPerSecond: perSecond,
    megabytesPerSecond: (perSecond * recordBytes) / 1_048_576,
  };
}

export async function benchDatagen(options: { records: number; rounds: number }): Promise<{ ratio: number }> {
  const { tools, artifacts, kafka, stop } = await startBenchKafka(
    'datagen',
    'datagen throughput: starting a local Kafka broker',
  );
  const generators: Generator[] = ['ratings', 'syslog'];
  const measurements: (Measurement & { round: string; generator: Generator })[] = [];
  try {
    const { bootstrapServers } = kafka;
    const stamp = Date.now();
    // A warm-up of each, so the broker's JIT has compiled its hot paths before anything is measured; it also gives
    // each generator's average value size, which the Java tool then writes.
    progress('datagen throughput: warming up the broker');
    const warmUp = Math.max(1_000, Math.round(options.records / 5));
    const sizes = new Map<Generator, number>();
    for (const generator of generators) {
      const sized = await measureDatagen(generator, bootstrapServers, warmUp, `bench-warmup-${generator}-${stamp}`);
      sizes.set(generator, Math.round(sized.recordBytes));
      await measureJavaTool(
        tools.java,
        artifacts.kafkaClasspath,
        bootstrapServers,
        warmUp,
        Math.round(sized.recordBytes),
        `bench-warmup-java-${generator}-${stamp}`,
      );
    }
    for (let round = 1; round <= options.rounds; round++) {
      progress(
        `datagen throughput: round ${round} of ${options.rounds}, ${options.records.toLocaleString('en-US')} records each`,
      );
      for (const generator of generators) {
        const pair = [
          () => measureDatagen(generator, bootstrapServers, options.records, `bench-${generator}-${stamp}-${round}`),
          () =>
            measureJavaTool(
              tools.java,
              artifacts.kafkaClasspath,
              bootstrapServers,
              options.records,
              sizes.get(generator) as number,
              `bench-java-${generator}-${stamp}-${round}`,
            ),
        ];
        // Alternate which goes first.
        if (round % 2 === 0) pair.reverse();
        for (const measure of pair) measurements.push({ round: String(round), generator, ...(await measure()) });
      }
    }
  } finally {
    await stop();
  }

  const best = (generator: Generator, prefix: string) =>
    measurements
      .filter((m) => m.generator === generator && m.tool.startsWith(prefix))
      .reduce((a, b) => (b.recordsPerSecond > a.recordsPerSecond ? b : a));
  printTable(
    `Data generator throughput: ${options.records.toLocaleString('en-US')} records a run, the Java tool writing values of each generator's average size (datagen adds its id key), acks=all, idempotent, one local broker`,
    ['round', 'tool', 'records/s', 'MB/s'],
    measurements.map((m) => [
      m.round,
      m.tool,
      Math.round(m.recordsPerSecond).toLocaleString('en-US'),
      m.megabytesPerSecond.toFixed(2),
    ]),
  );
  const ratios = generators.map((generator) => {
    const datagen = best(generator, 'datagen');
    const java = best(generator, 'kafka-producer-perf-test');
    const ratio = datagen.recordsPerSecond / java.recordsPerSecond;
    process.stdout.write(
      `\nbest datagen ${generator} / best Java tool at ${Math.round(java.recordBytes)} B: ${ratio.toFixed(2)} (${Math.round(datagen.recordsPerSecond).toLocaleString('en-US')} vs ${Math.round(java.recordsPerSecond).toLocaleString('en-US')} records/s); goal ≥ ${throughputGoal}: ${ratio >= throughputGoal ? 'met' : 'NOT met'}`,
    );
    return ratio;
  });
  process.stdout.write('\n');
  return { ratio: Math.min(...ratios) };
}
