/** A benchmark's own Kafka broker: one local broker in a new temporary folder, and a stop that removes the folder too. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { progress } from '#core/output.js';
import { resolveArtifacts } from '#workshop/dev/stack/artifacts.js';
import { startKafka } from '#workshop/dev/stack/kafka.js';
import { findTools } from '#workshop/dev/stack/prerequisites.js';

/**
 * Finds the tools and artifacts, makes a folder named after the benchmark (workshop-bench-<name>-…) and starts the
 * broker in its kafka/ subfolder; `announce`, if given, is printed before the broker starts. The folder is for the
 * benchmark's other files too; `stop()` stops the broker and removes it.
 */
export async function startBenchKafka(name: string, announce?: string) {
  const tools = findTools();
  const artifacts = await resolveArtifacts({ mvn: tools.mvn, javaHome: tools.javaHome });
  const dir = mkdtempSync(path.join(os.tmpdir(), `workshop-bench-${name}-`));
  if (announce) progress(announce);
  const kafka = await startKafka({
    java: tools.java,
    classpath: artifacts.kafkaClasspath,
    dir: path.join(dir, 'kafka'),
  });
  const stop = async () => {
    await kafka.server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { tools, artifacts, dir, kafka, stop };
}
