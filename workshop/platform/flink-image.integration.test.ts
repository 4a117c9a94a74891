/**
 * The learners' Flink image, without Docker: the Dockerfile's Maven stage is run here as it is written (its RUN line,
 * the pom beside it, strict checksums, its check of the jar's table factories), with its folders (/build, /lib,
 * /check) moved into a temporary folder of this machine. The jar it leaves must be the one the local stack's Flink
 * runs (workshop/dev/stack/flink-pom.xml), which the Flink suites prove on a real cluster.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { flinkVersions, resolveFlinkClasspath } from '#workshop/dev/stack/flink.js';
import { findTools } from '#workshop/dev/stack/prerequisites.js';
import { describeWithFlink } from '#workshop/dev/testing/stack-context.js';
import { readComposeFile, readDockerfile } from './compose-file.js';

const run = promisify(execFile);
const context = readComposeFile().profiled.find((s) => s.name === 'flink-jobmanager')?.buildContext;
const dockerfile = readDockerfile(path.join(context ?? 'docker/flink', 'Dockerfile'));
const text = readFileSync(dockerfile.path, 'utf8');

/** The Maven stage's RUN line, joined across its continuation lines, with the Dockerfile's ARG defaults. */
function mavenStageRun(): string {
  const line = /^RUN (mvn (?:[^\n]*\\\n)*[^\n]*)/m.exec(text)?.[1];
  if (!line) throw new Error(`${dockerfile.path} has no "RUN mvn ..." instruction`);
  return line
    .replace(/\\\n/g, ' ')
    .replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, name: string) => dockerfile.args[name] ?? whole);
}

describeWithFlink('the Flink image’s Maven stage, run as written', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flink-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the Kafka SQL connector the local stack runs, with its kafka and upsert-kafka factories', async () => {
    const tools = findTools();
    mkdirSync(path.join(dir, 'build'));
    copyFileSync(path.join(path.dirname(dockerfile.path), 'pom.xml'), path.join(dir, 'build', 'pom.xml'));
    // The stage's absolute folders, moved under this test's folder; the JDK's jar and Maven from this machine.
    const command = mavenStageRun()
      .replaceAll('/build/', `${dir}/build/`)
      .replaceAll('/lib', `${dir}/lib`)
      .replaceAll('/check', `${dir}/check`);
    const { stderr } = await run('bash', ['-c', `set -e; ${command}`], {
      env: {
        ...process.env,
        JAVA_HOME: tools.javaHome,
        PATH: `${path.join(tools.javaHome, 'bin')}:${path.dirname(tools.mvn)}:${process.env.PATH}`,
      },
      timeout: 600_000,
    });
    const { kafkaConnector } = flinkVersions();
    const jar = path.join(dir, 'lib', `flink-sql-connector-kafka-${kafkaConnector}.jar`);
    expect(existsSync(jar), stderr).toBe(true);
    expect(
      readFileSync(path.join(dir, 'check/META-INF/services/org.apache.flink.table.factories.Factory'), 'utf8'),
    ).toMatch(/UpsertKafkaDynamicTableFactory/);
    // The very jar of the local stack's classpath: what the Flink suites ran is what the image holds.
    const { classpath } = await resolveFlinkClasspath({ mvn: tools.mvn, javaHome: tools.javaHome });
    const stackJar = classpath.split(path.delimiter).find((j) => path.basename(j) === path.basename(jar));
    expect(stackJar, 'the stack’s Flink classpath has the same connector jar').toBeDefined();
    expect(readFileSync(jar).equals(readFileSync(stackJar as string))).toBe(true);
  }, 600_000);
});
