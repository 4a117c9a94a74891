/**
 * The Debezium half of the Kafka Connect image, without Docker: the Dockerfile's Maven stage is run here as it is
 * written (its own command line, the pom beside it, strict checksums), into a folder of this machine instead of
 * /plugins; then the file the stage lists to prove it worked must exist, and Kafka Connect's own plugin scanner
 * (Kafka 4.1's connect-plugin-path tool, the code a worker runs at start) must find the MySQL connector in it,
 * loadable. What only an engine can show (the image builds, the Elasticsearch sink unpacks) is in
 * platform.integration.test.ts.
 *
 * It needs what the local stack needs (Java, Maven, the stack's jars), so it runs, and is skipped, with the stack.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { resolveArtifacts } from '#workshop/dev/stack/artifacts.js';
import { findTools } from '#workshop/dev/stack/prerequisites.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { findService, readComposeFile, readDockerfile } from './compose-file.js';

const run = promisify(execFile);
const connect = findService(readComposeFile(), 'kafka-connect');
const dockerfile = readDockerfile(path.join(connect?.buildContext ?? 'docker/kafka-connect', 'Dockerfile'));
const text = readFileSync(dockerfile.path, 'utf8');

/** The Maven stage's RUN instruction, joined across its continuation lines, with the Dockerfile's ARG defaults. */
function mavenStageCommand(): { mvnArgs: string[]; listed: string[] } {
  const run = /^RUN (mvn (?:[^\n]*\\\n)*[^\n]*)/m.exec(text)?.[1];
  if (!run) throw new Error(`${dockerfile.path} has no "RUN mvn ..." instruction`);
  const substituted = run
    .replace(/\\\n/g, ' ')
    .replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, name: string) => dockerfile.args[name] ?? whole);
  const [maven, ...listings] = substituted.split('&&').map((part) => part.trim());
  const listed = listings.map((listing) => /^ls (\S+)$/.exec(listing)?.[1]);
  if (!maven || listed.length === 0 || listed.some((file) => file === undefined)) {
    throw new Error(`expected "mvn ... && ls <file> [&& ls <file>]" in ${dockerfile.path}, found: ${run}`);
  }
  return { mvnArgs: maven.split(/\s+/).slice(1), listed: listed as string[] };
}

/**
 * The RUN instruction that gives the plugins their manifests and checks the listing: its two Kafka tool calls (as
 * arguments after `kafka-run-class`) and the check script's command line.
 */
function pluginCheckCommand(): { sync: string[]; list: string[]; check: string[] } {
  const run = /^RUN (kafka-run-class \S+ sync-manifests (?:[^\n]*\\\n)*[^\n]*)/m.exec(text)?.[1];
  if (!run) throw new Error(`${dockerfile.path} has no "RUN kafka-run-class … sync-manifests" instruction`);
  const [sync, rest] = run.replace(/\\\n/g, ' ').split('&&');
  const [list, check] = (rest ?? '').split('|');
  const words = (part = '') => part.trim().split(/\s+/);
  const [syncWords, listWords, checkWords] = [words(sync), words(list), words(check)];
  if (syncWords[0] !== 'kafka-run-class' || listWords[0] !== 'kafka-run-class' || checkWords[0] !== 'bash') {
    throw new Error(
      `expected "kafka-run-class … && kafka-run-class … | bash <script> …" in ${dockerfile.path}: ${run}`,
    );
  }
  return { sync: syncWords.slice(1), list: listWords.slice(1), check: checkWords.slice(1) };
}

describeWithStack('the Kafka Connect image’s Maven stage, run on this machine', () => {
  const plugins = mkdtempSync(path.join(os.tmpdir(), 'connect-image-plugins-'));
  afterAll(() => rmSync(plugins, { recursive: true, force: true }));

  it('fetches the Debezium MySQL connector, and Kafka Connect finds it loadable in the folder it made', async () => {
    const { mvnArgs, listed } = mavenStageCommand();
    expect(mvnArgs).toContain('-C');
    expect(mvnArgs).toContain('-f');
    // As in the image: the pom is copied into a folder of its own (Maven's target/ and its markers go there, not into
    // the repository, and nothing is skipped as "already unpacked"), and the plugins go to a fresh folder.
    const build = path.join(plugins, 'build');
    mkdirSync(build);
    copyFileSync(path.join(path.dirname(dockerfile.path), 'pom.xml'), path.join(build, 'pom.xml'));
    const here = mvnArgs.map((arg) =>
      arg === '/build/pom.xml'
        ? path.join(build, 'pom.xml')
        : arg.replace(/^-Dplugins\.dir=\/plugins$/, `-Dplugins.dir=${plugins}`),
    );
    expect(here, 'the stage writes to -Dplugins.dir=/plugins').toContain(`-Dplugins.dir=${plugins}`);
    const tools = findTools();
    await run(tools.mvn, here, {
      env: { ...process.env, JAVA_HOME: tools.javaHome },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const file of listed) {
      const jar = file.replace(/^\/plugins\//, `${plugins}/`);
      expect(existsSync(jar), `${jar}, a file the stage lists, exists`).toBe(true);
    }
    expect(listed.map((file) => path.basename(path.dirname(file)))).toEqual([
      'debezium-connector-mysql',
      'debezium-connector-jdbc',
    ]);

    const { kafkaClasspath } = await resolveArtifacts({ mvn: tools.mvn, javaHome: tools.javaHome });
    const { stdout } = await run(
      tools.java,
      [
        '-cp',
        kafkaClasspath,
        'org.apache.kafka.tools.ConnectPluginPath',
        'list',
        '--plugin-location',
        path.dirname(listed[0]?.replace(/^\/plugins\//, `${plugins}/`) ?? ''),
      ],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    // Tab-separated: pluginName, firstAlias, secondAlias, pluginVersion, pluginType, isLoadable, hasManifest, ...
    const rows = stdout.split('\n').map((line) => line.split('\t'));
    const mysql = rows.find((row) => row[0] === 'io.debezium.connector.mysql.MySqlConnector');
    expect(mysql, stdout.slice(0, 2_000)).toBeDefined();
    expect(mysql?.[3]).toBe(dockerfile.args.DEBEZIUM_VERSION);
    expect(mysql?.[4]).toBe('source');
    expect(mysql?.[5], 'loadable').toBe('true');
    // A manifest lets Connect find it with plugin.discovery=service_load, the fast start later releases default to.
    expect(mysql?.[6], 'has a service manifest').toBe('true');
    // The step's transforms come with it.
    expect(rows.map((row) => row[0])).toContain('io.debezium.transforms.ExtractNewRecordState');
  }, 420_000);

  it('passes the image’s plugin check, run as the Dockerfile writes it, over the real Debezium and the sink stand-in', async () => {
    const { sync, list, check } = pluginCheckCommand();
    const imagePath = '/usr/share/confluent-hub-components';
    expect(sync).toContain(imagePath);
    const tools = findTools();
    const artifacts = await resolveArtifacts({ mvn: tools.mvn, javaHome: tools.javaHome });
    // The image's plugin folder, made here: the connector the Maven stage fetched (above) and the stand-in with the
    // real sink's class name (Confluent's sink cannot be fetched here).
    const pluginPath = path.join(plugins, 'plugin-path');
    mkdirSync(pluginPath);
    // Both of the Maven stage's plugins: Debezium's MySQL source and its JDBC sink (step 14).
    for (const plugin of ['debezium-connector-mysql', 'debezium-connector-jdbc']) {
      cpSync(path.join(plugins, plugin), path.join(pluginPath, plugin), { recursive: true });
    }
    const onlyDebezium = path.join(plugins, 'only-debezium');
    cpSync(pluginPath, onlyDebezium, { recursive: true });
    cpSync(
      path.join(artifacts.connectPluginPath, 'elasticsearch-sink-standin'),
      path.join(pluginPath, 'elasticsearch-sink-standin'),
      { recursive: true, dereference: true },
    );
    const kafkaTool = async (args: string[], folder: string) =>
      (
        await run(tools.java, ['-cp', artifacts.kafkaClasspath, ...args.map((a) => (a === imagePath ? folder : a))], {
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        })
      ).stdout;
    const [script, ...classes] = check;
    const scriptHere = path.join(path.dirname(dockerfile.path), path.basename(script ?? ''));
    expect(existsSync(scriptHere), `${scriptHere}, the script the image copies in`).toBe(true);
    expect(text).toContain(`COPY ${path.basename(scriptHere)} ${script}`);
    const checkListing = (listing: string) =>
      spawnSync('bash', [scriptHere, ...classes], { input: listing, encoding: 'utf8' });

    await kafkaTool(sync, pluginPath);
    const listed = checkListing(await kafkaTool(list, pluginPath));
    expect(listed.status, listed.stderr).toBe(0);
    // One row per class the course needs, each as Kafka's tool prints it: loadable, with its manifest.
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    // (Debezium's transforms come with both of its plugins: a row each.)
    expect([...new Set(rows.map((row) => row[0]))].sort()).toEqual([...classes].sort());
    for (const row of rows) expect(row.slice(5, 7), row.join(' ')).toEqual(['true', 'true']);

    // Without the sink the build fails, naming it.
    await kafkaTool(sync, onlyDebezium);
    const missing = checkListing(await kafkaTool(list, onlyDebezium));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('io.confluent.connect.elasticsearch.ElasticsearchSinkConnector');
    expect(missing.stderr).not.toContain('MySqlConnector');
    expect(missing.stderr).not.toContain('JdbcSinkConnector');
  }, 300_000);
});
