/**
 * The learners' docker-compose.yml, read as data: services, their images, published ports, memory limits and the
 * versions baked into the Kafka Connect image. The commands, the static tests and the benchmark all read it through
 * here, so there is one reading of the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { WorkshopError } from '#core/errors.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const defaultComposePath = path.join(repoRoot, 'docker-compose.yml');

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  /** As written in the file: "127.0.0.1:9092:9092". */
  spec: string;
}

export interface ComposeService {
  name: string;
  /** The image the service runs; for a built service, the tag its build produces. */
  image: string;
  /** The build context folder, absolute, for a service built from a Dockerfile in the repo. */
  buildContext?: string;
  ports: PublishedPort[];
  /** deploy.resources.limits.memory in bytes, if set. */
  memoryLimitBytes?: number;
  memoryLimitSpec?: string;
  hasHealthcheck: boolean;
  environment: Record<string, string>;
  dependsOn: { service: string; condition: string }[];
  /** Named volumes it mounts. */
  volumes: string[];
}

export interface ComposeFile {
  path: string;
  /** The top-level `name`: the Compose project, so commands work from any folder. */
  projectName: string;
  /** The services `docker compose up` starts: those in no profile. */
  services: ComposeService[];
  /** The services started only when their profile is named (step 15's ksqldb-headless), with their profiles. */
  profiled: (ComposeService & { profiles: string[] })[];
  namedVolumes: string[];
  /** The parsed YAML, for checks the summary above does not cover. */
  raw: Record<string, unknown>;
}

/** A compose file that does not say what the kit relies on; its message names the service and the key. */
/** docker-compose.yml (or the Dockerfile) is not as the kit needs it: an edit to undo, not a bug in the kit. */
export class ComposeFileError extends WorkshopError {
  constructor(message: string) {
    super(message, 'undo the edit (git diff docker-compose.yml docker/ shows it), then run the same command again');
  }
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readComposeFile(file = defaultComposePath): ComposeFile {
  return parseComposeFile(readFileSync(file, 'utf8'), file);
}

export function parseComposeFile(text: string, file = defaultComposePath): ComposeFile {
  const raw: unknown = parse(text);
  if (!isDict(raw)) throw new ComposeFileError(`${file} is not a YAML mapping`);
  if (typeof raw.name !== 'string') throw new ComposeFileError(`${file} has no top-level "name" (the project name)`);
  if (!isDict(raw.services)) throw new ComposeFileError(`${file} has no "services"`);
  const profilesOf = (spec: unknown): string[] =>
    isDict(spec) && Array.isArray(spec.profiles) ? spec.profiles.map(String) : [];
  const entries = Object.entries(raw.services);
  const services = entries
    .filter(([, spec]) => profilesOf(spec).length === 0)
    .map(([name, spec]) => readService(name, spec, file));
  const profiled = entries
    .filter(([, spec]) => profilesOf(spec).length > 0)
    .map(([name, spec]) => ({ ...readService(name, spec, file), profiles: profilesOf(spec) }));
  return {
    path: file,
    projectName: raw.name,
    services,
    profiled,
    namedVolumes: isDict(raw.volumes) ? Object.keys(raw.volumes) : [],
    raw,
  };
}

/**
 * The compose file as a room with these profiles active runs it: their services among those started (and looked at
 * by up, status and preflight), the rest still apart.
 */
export function withProfiles(compose: ComposeFile, profiles: string[]): ComposeFile {
  if (profiles.length === 0) return compose;
  const active = (service: { profiles: string[] }) => service.profiles.some((p) => profiles.includes(p));
  return {
    ...compose,
    services: [...compose.services, ...compose.profiled.filter(active).map(({ profiles: _p, ...service }) => service)],
    profiled: compose.profiled.filter((service) => !active(service)),
  };
}

function readService(name: string, spec: unknown, file: string): ComposeService {
  if (!isDict(spec)) throw new ComposeFileError(`service "${name}" in ${file} is not a mapping`);
  if (typeof spec.image !== 'string') {
    throw new ComposeFileError(`service "${name}" in ${file} has no "image" (a built service names its tag there)`);
  }
  let buildContext: string | undefined;
  if (spec.build !== undefined) {
    const context = typeof spec.build === 'string' ? spec.build : isDict(spec.build) ? spec.build.context : undefined;
    if (typeof context !== 'string') throw new ComposeFileError(`service "${name}" has a "build" without a context`);
    buildContext = path.resolve(path.dirname(file), context);
  }
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((entry) => parsePortSpec(String(entry), name));
  const limits = isDict(spec.deploy) && isDict(spec.deploy.resources) ? spec.deploy.resources.limits : undefined;
  const memory = isDict(limits) && limits.memory !== undefined ? String(limits.memory) : undefined;
  const environment: Record<string, string> = {};
  if (isDict(spec.environment)) {
    for (const [key, value] of Object.entries(spec.environment)) environment[key] = String(value ?? '');
  }
  const dependsOn = isDict(spec.depends_on)
    ? Object.entries(spec.depends_on).map(([service, how]) => ({
        service,
        condition: isDict(how) && typeof how.condition === 'string' ? how.condition : 'service_started',
      }))
    : (Array.isArray(spec.depends_on) ? spec.depends_on : []).map((service) => ({
        service: String(service),
        condition: 'service_started',
      }));
  const volumes = (Array.isArray(spec.volumes) ? spec.volumes : [])
    .map((entry) => String(entry).split(':')[0] ?? '')
    .filter((source) => source !== '' && !source.startsWith('.') && !source.startsWith('/'));
  return {
    name,
    image: spec.image,
    buildContext,
    ports,
    memoryLimitBytes: memory === undefined ? undefined : parseMemory(memory, `service "${name}"`),
    memoryLimitSpec: memory,
    hasHealthcheck:
      isDict(spec.healthcheck) && spec.healthcheck.disable !== true && spec.healthcheck.test !== undefined,
    environment,
    dependsOn,
    volumes,
  };
}

/** "127.0.0.1:9092:9092", "9092:9092" or "9092"; a port without a host IP is recorded with hostIp "0.0.0.0". */
export function parsePortSpec(spec: string, service = 'a service'): PublishedPort {
  const match =
    /^(?:(?<ip>\[[0-9a-fA-F:]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(?<host>\d+):)?(?<container>\d+)(?:\/(?:tcp|udp))?$/.exec(
      spec,
    );
  if (!match?.groups) throw new ComposeFileError(`${service} publishes "${spec}", which is not ip:host:container`);
  const container = Number(match.groups.container);
  return {
    hostIp: match.groups.ip ?? '0.0.0.0',
    hostPort: match.groups.host === undefined ? container : Number(match.groups.host),
    containerPort: container,
    spec,
  };
}

const units: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** Compose's memory sizes: a number of bytes with an optional b, k, m or g unit (binary multiples). */
export function parseMemory(spec: string, owner = 'a memory size'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(spec.trim());
  const unit = units[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (!match || unit === undefined) throw new ComposeFileError(`${owner} has memory "${spec}", not like 512m or 1g`);
  return Math.round(Number(match[1]) * unit);
}

export function totalMemoryLimitBytes(compose: ComposeFile): number {
  return compose.services.reduce((sum, service) => sum + (service.memoryLimitBytes ?? 0), 0);
}

/**
 * What Docker should have for the platform. The limits are ceilings that the services rarely reach all at once, so
 * below the sum Docker can still run the workshop, but a busy moment may get a container killed; below 80 % of it,
 * the JVMs' heaps and the databases' buffers alone do not fit.
 */
export function memoryNeeds(compose: ComposeFile): { recommendedBytes: number; minimumBytes: number } {
  const recommendedBytes = totalMemoryLimitBytes(compose);
  return { recommendedBytes, minimumBytes: Math.round(recommendedBytes * 0.8) };
}

export function formatGiB(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** A threshold, rounded up to the tenth: a laptop with exactly the figure shown must meet it. */
export function formatGiBAtLeast(bytes: number): string {
  return `${(Math.ceil((bytes / 1024 ** 3) * 10) / 10).toFixed(1)} GB`;
}

/** An image the platform needs, with every service that runs it. */
export interface RequiredImage {
  /** The services that run it, for `docker compose pull/build` (one is enough; all are harmless). */
  services: string[];
  image: string;
  /** Built from the repository (its tag), not downloaded. */
  built: boolean;
}

/**
 * The images a laptop needs to start the platform offline, each once (built ones by their tag): the ksqlDB server
 * and CLI share one.
 */
export function requiredImages(compose: ComposeFile): RequiredImage[] {
  const byImage = new Map<string, RequiredImage>();
  for (const service of compose.services) {
    const built = service.buildContext !== undefined;
    const seen = byImage.get(service.image);
    if (!seen) {
      byImage.set(service.image, { services: [service.name], image: service.image, built });
    } else if (seen.built === built) {
      seen.services.push(service.name);
    } else {
      throw new ComposeFileError(
        `services "${seen.services[0]}" and "${service.name}" name the same image ${service.image}, but only one builds it: give the built one a tag of its own`,
      );
    }
  }
  return [...byImage.values()];
}

export function findService(compose: ComposeFile, name: string): ComposeService | undefined {
  return compose.services.find((service) => service.name === name);
}

export interface Dockerfile {
  path: string;
  /** Every ARG with its default, whether declared before the first FROM or inside a stage. */
  args: Record<string, string>;
  /** The image of each FROM, with ARG defaults substituted; stage names are left out. */
  baseImages: string[];
}

export function readDockerfile(file: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages = new Set<string>();
  const baseImages: string[] = [];
  const substitute = (text: string) =>
    text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => args[name] ?? whole);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const arg = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*$/i.exec(line);
    if (arg?.[1] && arg[2] !== undefined) args[arg[1]] = arg[2];
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (from?.[1]) {
      const image = substitute(from[1]);
      if (!stages.has(image)) baseImages.push(image);
      if (from[2]) stages.add(from[2]);
    }
  }
  return { path: file, args, baseImages };
}
