/**
 * The local stack's jars and archives, resolved by Maven from workshop/dev/stack/pom.xml. Maven keeps the downloads in
 * the user's Maven repository; the unpacked archives and the classpath go to a cache folder keyed by the pom's
 * content, so a warm start neither downloads nor runs Maven.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EnvironmentError } from '#core/errors.js';

const run = promisify(execFile);

export const pomPath = fileURLToPath(new URL('./pom.xml', import.meta.url));
const standInSource = fileURLToPath(new URL('./standin-plugins/ElasticsearchSinkConnector.java', import.meta.url));

export interface StackVersions {
  kafka: string;
  confluentPlatform: string;
  debezium: string;
  elasticsearch: string;
}

/** The versions pinned in the pom (the one place they are written). */
export function stackVersions(pom = readFileSync(pomPath, 'utf8')): StackVersions {
  const property = (name: string): string => {
    const match = new RegExp(`<${name.replace('.', '\\.')}>([^<]+)</`).exec(pom);
    if (!match?.[1]) throw new Error(`${pomPath} has no <${name}> property`);
    return match[1];
  };
  return {
    kafka: property('kafka.version'),
    confluentPlatform: property('confluent.platform.version'),
    debezium: property('debezium.version'),
    elasticsearch: property('elasticsearch.version'),
  };
}

export interface Artifacts {
  /** Broker, Connect worker and tools: one classpath, as Kafka's distribution has one libs/ folder. */
  kafkaClasspath: string;
  /** Kafka Connect's plugin.path: one sub-folder per plugin. */
  connectPluginPath: string;
  elasticsearchHome: string;
  /** Whether this call ran Maven (false when the cache was already complete). */
  resolvedNow: boolean;
}

/**
 * Where unpacked archives are kept. When running as root, Elasticsearch runs as an unprivileged user who cannot
 * enter root's home, so the cache goes to a world-readable place instead.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKSHOP_STACK_CACHE) return env.WORKSHOP_STACK_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/workshop-kit/stack';
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'workshop-kit', 'stack');
}

export async function resolveArtifacts(options: {
  mvn: string;
  javaHome: string;
  cacheDir?: string;
  mavenRepo?: string;
  timeoutMs?: number;
}): Promise<Artifacts> {
  const cache = path.join(options.cacheDir ?? defaultCacheDir(), pomCacheKey(pomPath, options.mavenRepo));
  const manifestPath = path.join(cache, 'resolved.json');
  const cached = readManifest(manifestPath);
  if (cached) {
    await ensureStandInPlugin(options.javaHome, cached.kafkaClasspath, cached.connectPluginPath, cache);
    return { ...cached, resolvedNow: false };
  }

  // Readable by all: Elasticsearch may run as another user (see defaultCacheDir).
  await runStackMaven(pomPath, cache, options, "the local stack's jars and archives");
  const esDir = readdirSync(cache).find((name) => name.startsWith('elasticsearch-'));
  if (!esDir) throw new EnvironmentError(`Maven ran but left no Elasticsearch folder in ${cache}`);
  const kafkaClasspath = readFileSync(path.join(cache, 'kafka.classpath'), 'utf8').trim();
  await ensureStandInPlugin(options.javaHome, kafkaClasspath, path.join(cache, 'connect-plugins'), cache);
  const artifacts = {
    kafkaClasspath,
    connectPluginPath: path.join(cache, 'connect-plugins'),
    elasticsearchHome: path.join(cache, esDir),
  };
  writeFileSync(manifestPath, JSON.stringify(artifacts, null, 2));
  return { ...artifacts, resolvedNow: true };
}

/** The cache folder of a pom's resolution: keyed by the pom's content and the Maven repository it resolves into. */
export function pomCacheKey(pom: string, mavenRepo?: string): string {
  return createHash('sha256')
    .update(readFileSync(pom, 'utf8'))
    .update(mavenRepo ?? '')
    .digest('hex')
    .slice(0, 16);
}

/**
 * Runs one of the stack's poms (process-resources, with -Dstack.cache) into `cache`: Maven downloads into the user's
 * repository, or `mavenRepo`. A failure says which pom and the end of what Maven said.
 */
export async function runStackMaven(
  pom: string,
  cache: string,
  options: { mvn: string; javaHome: string; mavenRepo?: string; timeoutMs?: number },
  what: string,
): Promise<void> {
  mkdirSync(cache, { recursive: true, mode: 0o755 });
  const args = ['-B', '-q', '-f', pom, `-Dstack.cache=${cache}`, 'process-resources'];
  if (options.mavenRepo) args.unshift(`-Dmaven.repo.local=${options.mavenRepo}`);
  try {
    await run(options.mvn, args, {
      env: { ...process.env, JAVA_HOME: options.javaHome },
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new EnvironmentError(
      `Maven could not resolve ${what} from ${pom}:\n${output}`,
      `check that Maven can reach its repository (mvn -f ${path.relative(process.cwd(), pom)} process-resources), then retry`,
    );
  }
}

/** The stand-in's jar is named after its source's hash: an edited source is compiled again at the next start. */
export function standInJarName(source = readFileSync(standInSource)): string {
  return `elasticsearch-sink-standin-${createHash('sha256').update(source).digest('hex').slice(0, 12)}.jar`;
}

/**
 * Compiles the stand-in for Confluent's Elasticsearch sink (see its source) into a plugin folder of its own, with
 * the JDK's javac and jar, unless the jar of this source is already there.
 */
async function ensureStandInPlugin(javaHome: string, classpath: string, pluginPath: string, cache: string) {
  const pluginDir = path.join(pluginPath, 'elasticsearch-sink-standin');
  const jarName = standInJarName();
  if (existsSync(path.join(pluginDir, jarName))) {
    if (!hasServiceManifests(pluginDir)) await syncPluginManifests(javaHome, classpath, pluginDir);
    return;
  }
  const classes = path.join(cache, `standin-classes-${process.pid}`);
  rmSync(classes, { recursive: true, force: true });
  rmSync(pluginDir, { recursive: true, force: true });
  mkdirSync(classes, { recursive: true, mode: 0o755 });
  mkdirSync(pluginDir, { recursive: true, mode: 0o755 });
  try {
    await run(path.join(javaHome, 'bin', 'javac'), ['-cp', classpath, '-d', classes, standInSource], {
      timeout: 120_000,
    });
    await run(path.join(javaHome, 'bin', 'jar'), ['cf', path.join(pluginDir, jarName), '-C', classes, '.'], {
      timeout: 60_000,
    });
  } catch (error) {
    const { stderr = '' } = error as { stderr?: string };
    throw new EnvironmentError(
      `could not build the Elasticsearch sink stand-in with the JDK's javac: ${stderr}`,
      'the local stack needs a JDK (javac), not only a JRE',
    );
  } finally {
    rmSync(classes, { recursive: true, force: true });
  }
  await syncPluginManifests(javaHome, classpath, pluginDir);
}

/**
 * What Confluent's Avro converter needs at run time, by artifact name: its own jars and the registry client's
 * (Maven's dependency list of io.confluent:kafka-connect-avro-converter 8.0.7, less what the worker itself provides:
 * kafka-clients, slf4j and the compression codecs). The first group must be there; the rest are taken when present.
 */
const avroConverterJars = {
  required: [
    'kafka-connect-avro-converter',
    'kafka-connect-avro-data',
    'kafka-avro-serializer',
    'kafka-schema-serializer',
    'kafka-schema-registry-client',
    'kafka-schema-converter',
    'avro',
    'common-utils',
    'guava',
    'jackson-databind',
    'jackson-core',
    'jackson-annotations',
  ],
  optional: [
    'kafka-schema-types',
    'kafka-avro-types',
    'common-config',
    'logredactor',
    'logredactor-metrics',
    'failureaccess',
    'jackson-datatype-jdk8',
    'jackson-dataformat-csv',
    'commons-lang3',
    'commons-codec',
    'commons-io',
    'commons-compress',
    're2j',
    'httpcore5',
    'httpcore5-h2',
    'httpclient5',
    'swagger-annotations-jakarta',
    'minimal-json',
    'snakeyaml',
  ],
};

/** The jar of an artifact in a folder of jars: `<artifact>-<version>.jar`. */
function jarOf(jars: string[], artifact: string): string | undefined {
  return jars.find((name) => name.startsWith(`${artifact}-`) && /^\d/.test(name.slice(artifact.length + 1)));
}

/**
 * Confluent's Avro converter for the local Connect worker, from the jars of the installed Confluent layout
 * (share/java/kafka-serde-tools in a Confluent Platform install; share/java/ksqldb in ksqldb-from-source's, where
 * ksqlDB's own Avro support brings the converter). The learners' Connect image has it already (Confluent's image ships
 * it). The jars are linked, not copied, into a plugin folder of the cache, which Kafka's sync-manifests gives its
 * service manifests, so the install itself is never written to. Returns the folder to add to plugin.path.
 */
export async function ensureAvroConverterPlugin(
  javaHome: string,
  artifacts: Pick<Artifacts, 'kafkaClasspath' | 'connectPluginPath'>,
  confluentHome: string,
): Promise<string> {
  const candidates = ['kafka-serde-tools', 'ksqldb'].map((d) => path.join(confluentHome, 'share', 'java', d));
  const jarsDir = candidates.find((dir) => existsSync(dir) && jarOf(readdirSync(dir), 'kafka-connect-avro-converter'));
  if (!jarsDir) {
    throw new EnvironmentError(
      `no kafka-connect-avro-converter jar in ${candidates.join(' or ')}, so Kafka Connect cannot write Avro`,
      'build ksqlDB again (ksqldb-from-source build.sh --with-schema-registry), or set CONFLUENT_HOME to a Confluent Platform install',
    );
  }
  const all = readdirSync(jarsDir);
  const missing = avroConverterJars.required.filter((artifact) => !jarOf(all, artifact));
  if (missing.length > 0) {
    throw new EnvironmentError(
      `${jarsDir} has the Avro converter but not what it needs: ${missing.join(', ')}`,
      'build ksqlDB again (ksqldb-from-source build.sh --with-schema-registry --force)',
    );
  }
  const jars = [...avroConverterJars.required, ...avroConverterJars.optional]
    .map((artifact) => jarOf(all, artifact))
    .filter((jar): jar is string => jar !== undefined);
  const fingerprint = createHash('sha256')
    .update([jarsDir, ...jars.sort()].join('\n'))
    .digest('hex')
    .slice(0, 12);
  // Beside the kit's own plugin folder, in the same cache.
  const pluginPath = path.join(path.dirname(artifacts.connectPluginPath), `connect-plugins-avro-${fingerprint}`);
  const pluginDir = path.join(pluginPath, 'confluent-avro-converter');
  if (existsSync(pluginDir) && hasServiceManifests(pluginDir)) return pluginPath;
  // Made in a folder of its own, then renamed into place: a stack and a benchmark starting together never see (or
  // remove) each other's half-made folder.
  const making = `${pluginPath}.making-${process.pid}`;
  const makingDir = path.join(making, 'confluent-avro-converter');
  rmSync(making, { recursive: true, force: true });
  mkdirSync(makingDir, { recursive: true, mode: 0o755 });
  for (const jar of jars) symlinkSync(path.join(jarsDir, jar), path.join(makingDir, jar));
  await syncPluginManifests(javaHome, artifacts.kafkaClasspath, makingDir);
  rmSync(pluginPath, { recursive: true, force: true });
  try {
    renameSync(making, pluginPath);
  } catch (error) {
    // Another start made it in the meantime: use theirs.
    rmSync(making, { recursive: true, force: true });
    if (!(existsSync(pluginDir) && hasServiceManifests(pluginDir))) throw error;
  }
  return pluginPath;
}

/** What Kafka's sync-manifests tool leaves in a plugin folder it gave service manifests to. */
const manifestShim = /^connect-plugin-path-shim-.*\.jar$/;

function hasServiceManifests(pluginDir: string): boolean {
  return readdirSync(pluginDir).some((name) => manifestShim.test(name));
}

/**
 * The worker finds plugins by their ServiceLoader manifests (plugin.discovery=service_load, see connect.ts), which
 * is much faster than scanning every class. Debezium ships them; the stand-in gets them from Kafka's own tool
 * (bin/connect-plugin-path.sh sync-manifests, KIP-898), run once per stand-in build.
 */
async function syncPluginManifests(javaHome: string, classpath: string, pluginDir: string): Promise<void> {
  try {
    await run(
      path.join(javaHome, 'bin', 'java'),
      ['-cp', classpath, 'org.apache.kafka.tools.ConnectPluginPath', 'sync-manifests', '--plugin-location', pluginDir],
      { timeout: 180_000 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new EnvironmentError(
      `Kafka's connect-plugin-path sync-manifests could not write the plugin manifests of ${pluginDir}:\n${`${stdout}\n${stderr}`.trim()}`,
      `remove ${pluginDir} and start the stack again`,
    );
  }
  if (!hasServiceManifests(pluginDir)) {
    throw new EnvironmentError(`connect-plugin-path sync-manifests left no manifests in ${pluginDir}`);
  }
}

function readManifest(manifestPath: string): Omit<Artifacts, 'resolvedNow'> | undefined {
  if (!existsSync(manifestPath)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Omit<Artifacts, 'resolvedNow'>;
    const jars = manifest.kafkaClasspath.split(path.delimiter);
    const complete = [...jars, manifest.connectPluginPath, manifest.elasticsearchHome].every((p) => existsSync(p));
    return complete ? manifest : undefined;
  } catch {
    return undefined;
  }
}
