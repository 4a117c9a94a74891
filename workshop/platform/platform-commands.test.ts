import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCommand } from '#core/args.js';
import { EnvironmentError, ExitCode, TimeoutError, UsageError } from '#core/errors.js';
import { downSpec, logsSpec, prefetchSpec, preflightSpec, statusSpec } from '#workshop/commands.js';
import { freePorts } from '#workshop/dev/stack/ports.js';
import { fakeClock } from '#workshop/dev/testing/fake-clock.js';
import {
  composeMissing,
  composeVersion,
  imageMissing,
  imagePresent,
  infoEngineDown,
  infoRunning,
  logs,
  type PsContainer,
  ps,
  type Rule,
  upDependencyUnhealthy,
  upPortTaken,
  upPortTakenDesktop,
  upProgress,
} from '#workshop/platform/testing/docker-answers.js';
import { fakeDocker } from '#workshop/platform/testing/fake-docker.js';
import { type ComposeFile, readComposeFile } from './compose-file.js';
import { DockerCli } from './docker.js';
import { downCommand } from './down.js';
import { logsMain } from './logs.js';
import { prefetchCommand } from './prefetch.js';
import { machineArchitecture, preflightCommand, runPreflight } from './preflight.js';
import { statusCommand } from './status.js';
import { up } from './up.js';

const project = 'workshop-test';
const connectImage = 'streaming-workshop/kafka-connect:cp8.1.0-test';
const esImage = 'docker.elastic.co/elasticsearch/elasticsearch:8.19.4';

interface Platform {
  compose: ComposeFile;
  composePath: string;
  ports: { kafka: number; connect: number; elasticsearch: number };
}

/** A small compose file of the platform's shape (three services, one built) on ports free right now. */
async function smallPlatform(options: { profiled?: boolean } = {}): Promise<Platform> {
  const [kafka, connect, elasticsearch] = (await freePorts(3)) as [number, number, number];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  const composePath = path.join(dir, 'docker-compose.yml');
  const healthcheck = 'healthcheck: { test: ["CMD", "true"], interval: 10s }';
  writeFileSync(
    composePath,
    [
      `name: ${project}`,
      'services:',
      '  kafka:',
      '    image: confluentinc/cp-kafka:8.1.0',
      `    ports: ["127.0.0.1:${kafka}:9092"]`,
      `    ${healthcheck}`,
      '    deploy: { resources: { limits: { memory: 512m } } }',
      '    volumes: ["kafka-data:/var/lib/kafka/data"]',
      '  kafka-connect:',
      `    image: ${connectImage}`,
      '    build: { context: . }',
      '    depends_on: { kafka: { condition: service_healthy } }',
      `    ports: ["127.0.0.1:${connect}:8083"]`,
      `    ${healthcheck}`,
      '    deploy: { resources: { limits: { memory: 896m } } }',
      '  elasticsearch:',
      `    image: ${esImage}`,
      `    ports: ["127.0.0.1:${elasticsearch}:9200"]`,
      `    ${healthcheck}`,
      '    deploy: { resources: { limits: { memory: 1g } } }',
      // A service only its profile starts, as step 15's ksqldb-headless.
      ...(options.profiled
        ? ['  ksqldb-headless:', '    image: confluentinc/cp-ksqldb-server:8.1.0', '    profiles: [headless]']
        : []),
      'volumes:',
      '  kafka-data:',
      '',
    ].join('\n'),
  );
  return { compose: readComposeFile(composePath), composePath, ports: { kafka, connect, elasticsearch } };
}

function containers(p: Platform, states: Record<string, Omit<PsContainer, 'service' | 'ports'>>): PsContainer[] {
  const published: Record<string, [number, number]> = {
    kafka: [p.ports.kafka, 9092],
    'kafka-connect': [p.ports.connect, 8083],
    elasticsearch: [p.ports.elasticsearch, 9200],
  };
  return Object.entries(states).map(([service, state]) => ({
    service,
    ...state,
    ports: state.state === 'running' ? [published[service] as [number, number]] : [],
  }));
}

const allHealthy = (p: Platform) =>
  ps(
    project,
    containers(p, {
      kafka: { state: 'running', health: 'healthy' },
      'kafka-connect': { state: 'running', health: 'healthy' },
      elasticsearch: { state: 'running', health: 'healthy' },
    }),
  );

/** A laptop where all is well: engine up, Compose 2.36, every image here, nothing running yet. */
function healthyLaptop(overrides: Rule[] = []): Rule[] {
  return [
    ...overrides,
    { match: '^info ', answers: [infoRunning()] },
    { match: '^compose version', answers: [composeVersion()] },
    { match: '^image inspect', answers: [imagePresent()] },
    { match: ' ps --all --format json$', answers: [{ stdout: '' }] },
    { match: ' up --detach$', answers: [{ stderr: upProgress(project, ['kafka', 'kafka-connect', 'elasticsearch']) }] },
    { match: ' logs ', answers: [logs('x', ['(no log)'])] },
  ];
}

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('npm run preflight', () => {
  it('says the laptop is ready, offline included, when every check passes', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(healthyLaptop());
    const code = await preflightCommand(parseCommand(preflightSpec, []), { env: fake.env, composePath: p.composePath });
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain('✓ Docker engine: Docker 28.2.2 on Docker Desktop');
    expect(stdout).toContain('✓ Docker Compose: Compose 2.36.2');
    expect(stdout).toContain("✓ memory: 7.7 GB for Docker (the platform's limits add up to 2.4 GB)");
    const platform = process.arch === 'arm64' ? 'arm64' : 'amd64';
    expect(stdout).toContain(`✓ CPU architecture: linux/${platform} (native images exist for it)`);
    expect(stdout).toContain(
      `✓ ports on 127.0.0.1: free: ${p.ports.kafka}, ${p.ports.connect}, ${p.ports.elasticsearch}`,
    );
    expect(stdout).toContain('✓ images: all 3 images are on this machine: the platform starts offline');
    expect(stdout).toContain('Ready for the workshop, offline included.');
  });

  it('fails when the engine is down, says how to start it, and still checks the ports', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([{ match: '^info ', answers: [infoEngineDown] }]);
    const code = await preflightCommand(parseCommand(preflightSpec, []), { env: fake.env, composePath: p.composePath });
    expect(code).toBe(ExitCode.environment);
    expect(stdout).toContain(
      '✗ Docker engine: expected the Docker engine to answer "docker info", found the Docker engine not running: Cannot connect to the Docker daemon',
    );
    expect(stdout).toContain('→ start Docker Desktop (Linux: sudo systemctl start docker)');
    expect(stdout).toContain('✓ ports on 127.0.0.1: free:');
    expect(stdout).toContain('Not ready: 1 problem to fix.');
  });

  it('fails when Compose v2 is missing', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(healthyLaptop([{ match: '^compose version', answers: [composeMissing] }]));
    const report = await runPreflight({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
    });
    const item = report.items.find((i) => i.check === 'Docker Compose');
    expect(item?.outcome).toBe('fail');
    expect(item?.found).toContain('Docker Compose v2 is not installed');
    expect(item?.next).toContain('docker-compose-plugin');
  });

  it('names a port another program holds, with how to find that program', async () => {
    const p = await smallPlatform();
    const holder = await listen(p.ports.connect);
    try {
      const fake = fakeDocker(healthyLaptop());
      const code = await preflightCommand(parseCommand(preflightSpec, []), {
        env: fake.env,
        composePath: p.composePath,
      });
      expect(code).toBe(ExitCode.environment);
      expect(stdout).toContain(`✗ port ${p.ports.connect}: 127.0.0.1:${p.ports.connect} is in use by another program`);
      expect(stdout).toContain('expected: free, for Kafka Connect');
      expect(stdout).toContain(`lsof -nP -iTCP:${p.ports.connect} -sTCP:LISTEN`);
    } finally {
      holder.close();
    }
  });

  it('does not count a port the platform’s own container publishes as taken', async () => {
    const p = await smallPlatform();
    const holder = await listen(p.ports.kafka);
    try {
      const running = ps(project, containers(p, { kafka: { state: 'running', health: 'healthy' } }));
      const fake = fakeDocker(healthyLaptop([{ match: ' ps --all --format json$', answers: [running] }]));
      const report = await runPreflight({
        docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
        compose: p.compose,
      });
      expect(report.items.find((i) => i.check === 'ports on 127.0.0.1')?.found).toBe(
        `free: ${p.ports.connect}, ${p.ports.elasticsearch}; already the platform's: ${p.ports.kafka}`,
      );
    } finally {
      holder.close();
    }
  });

  it('warns, without failing, about images that are not here yet, and says how to get them while online', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        { match: `^image inspect --format \\{\\{\\.Size\\}\\} ${esImage}$`, answers: [imageMissing(esImage)] },
        {
          match: `^image inspect --format \\{\\{\\.Size\\}\\} ${connectImage}$`,
          answers: [imageMissing(connectImage)],
        },
      ]),
    );
    const code = await preflightCommand(parseCommand(preflightSpec, []), { env: fake.env, composePath: p.composePath });
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain(`! images: not on this machine: ${esImage}; not built yet: ${connectImage}`);
    expect(stdout).toContain('→ while online, run npm run prefetch');
    expect(stdout).toContain('Ready, with 1 warning.');
  });

  it('fails below the memory the platform needs and warns below the sum of its limits', async () => {
    const p = await smallPlatform();
    const check = async (memTotalBytes: number) => {
      const fake = fakeDocker(healthyLaptop([{ match: '^info ', answers: [infoRunning({ memTotalBytes })] }]));
      const report = await runPreflight({
        docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
        compose: p.compose,
      });
      return report.items.find((i) => i.check === 'memory');
    };
    const tooLittle = await check(1024 ** 3);
    expect(tooLittle?.outcome).toBe('fail');
    expect(tooLittle?.found).toBe('1.0 GB for Docker');
    expect(tooLittle?.expected).toBe("at least 2.0 GB; the platform's memory limits add up to 2.4 GB");
    expect(tooLittle?.next).toContain('Settings → Resources → Memory');
    expect((await check(2.2 * 1024 ** 3))?.outcome).toBe('warn');
  });

  it('fails on an architecture no image is built for, and warns when the engine emulates another', async () => {
    const p = await smallPlatform();
    const check = async (architecture: string, hostArch: string) => {
      const fake = fakeDocker(healthyLaptop([{ match: '^info ', answers: [infoRunning({ architecture })] }]));
      const report = await runPreflight({
        docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
        compose: p.compose,
        hostArch,
      });
      return report.items.find((i) => i.check === 'CPU architecture');
    };
    expect((await check('s390x', 's390x'))?.outcome).toBe('fail');
    // An x64 Node under Rosetta on Apple Silicon, with Docker's native arm64 engine: nothing is emulated.
    expect(machineArchitecture('x64', 'darwin', 'Apple M2 Pro')).toBe('arm64');
    expect(machineArchitecture('x64', 'darwin', 'Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz')).toBe('x64');
    expect(machineArchitecture('x64', 'linux', 'Apple M2 Pro')).toBe('x64');
    expect((await check('aarch64', machineArchitecture('x64', 'darwin', 'Apple M1')))?.outcome).toBe('ok');
    const emulated = await check('x86_64', 'arm64');
    expect(emulated?.outcome).toBe('warn');
    expect(emulated?.found).toContain('the engine runs linux/amd64 on a arm64 machine');
  });

  it('prints its results as JSON with --json, and refuses an unknown option', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(healthyLaptop());
    await preflightCommand(parseCommand(preflightSpec, ['--json']), { env: fake.env, composePath: p.composePath });
    const parsed = JSON.parse(stdout) as { items: { check: string; outcome: string }[] };
    expect(parsed.items.map((i) => i.check)).toEqual([
      'Docker engine',
      'Docker Compose',
      'memory',
      'CPU architecture',
      'ports on 127.0.0.1',
      'images',
    ]);
    await expect(preflightSpec.run?.(['--fast'])).rejects.toThrow(UsageError);
  });
});

describe('npm run up', () => {
  it('starts the platform, shows each service’s progress until all are healthy, then puts the index template', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        {
          match: ' ps --all --format json$',
          answers: [
            { stdout: '' }, // preflight: nothing running
            { stdout: '' },
            ps(project, containers(p, { kafka: { state: 'running', health: 'starting' } })),
            ps(
              project,
              containers(p, {
                kafka: { state: 'running', health: 'healthy' },
                'kafka-connect': { state: 'running', health: 'starting' },
                elasticsearch: { state: 'running', health: 'healthy' },
              }),
            ),
            allHealthy(p),
          ],
        },
      ]),
    );
    const progress: string[] = [];
    const ready: string[] = [];
    const templates: string[] = [];
    const result = await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      onProgress: (m) => progress.push(m),
      onServiceReady: (m) => ready.push(m),
      putIndexTemplate: async (url) => void templates.push(url),
    });
    expect(result.views.map((v) => [v.service, v.readiness, v.address])).toEqual([
      ['kafka', 'ready', `127.0.0.1:${p.ports.kafka}`],
      ['kafka-connect', 'ready', `http://127.0.0.1:${p.ports.connect}`],
      ['elasticsearch', 'ready', `http://127.0.0.1:${p.ports.elasticsearch}`],
    ]);
    expect(progress).toEqual([
      'checking this laptop (npm run preflight)',
      'starting 3 services (docker compose up --detach)',
      'kafka: running, starting',
      'kafka-connect: running, starting',
      'putting the Elasticsearch index template for the pipeline’s timestamp fields',
    ]);
    expect(ready.map((m) => m.replace(/ \(.*\)$/, ''))).toEqual([
      'kafka: running, healthy',
      'elasticsearch: running, healthy',
      'kafka-connect: running, healthy',
    ]);
    expect(templates).toEqual([`http://127.0.0.1:${p.ports.elasticsearch}`]);
    const commands = fake.calls().map((args) => args.filter((a) => a !== '--file' && a !== p.composePath).join(' '));
    expect(commands).toContain('compose up --detach');
    expect(commands.some((c) => c.includes('pull') || c.includes('build'))).toBe(false);
  });

  it('passes on the preflight warnings before starting', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        { match: '^info ', answers: [infoRunning({ memTotalBytes: 2.2 * 1024 ** 3 })] },
        { match: ' ps --all --format json$', answers: [{ stdout: '' }, allHealthy(p)] },
      ]),
    );
    const progress: string[] = [];
    await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      onProgress: (m) => progress.push(m),
      putIndexTemplate: async () => {},
    });
    expect(progress[1]).toBe(
      'warning, memory: 2.2 GB for Docker; give Docker at least 2.4 GB (Docker Desktop: Settings → Resources → Memory), then run npm run preflight',
    );
  });

  it('downloads missing images and builds the Connect image before starting, so the start deadline is not spent on the network', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        { match: `^image inspect --format \\{\\{\\.Size\\}\\} ${esImage}$`, answers: [imageMissing(esImage)] },
        {
          match: `^image inspect --format \\{\\{\\.Size\\}\\} ${connectImage}$`,
          answers: [imageMissing(connectImage)],
        },
        { match: ' pull ', answers: [{ stdout: '' }] },
        { match: ' build ', answers: [{ stdout: '' }] },
        { match: ' ps --all --format json$', answers: [{ stdout: '' }, allHealthy(p)] },
      ]),
    );
    await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      putIndexTemplate: async () => {},
    });
    const compose = fake.calls().filter((args) => args[0] === 'compose' && args[1] !== 'version' && args[3] !== 'ps');
    expect(compose.map((args) => args.slice(3))).toEqual([
      ['pull', '--quiet', 'elasticsearch'],
      ['build', 'kafka-connect'],
      ['up', '--detach'],
    ]);
  });

  it('starts again the containers an earlier run left exited, instead of reporting them failed', async () => {
    const p = await smallPlatform();
    const stale = ps(
      project,
      containers(p, {
        kafka: { state: 'exited', exitCode: 143 },
        'kafka-connect': { state: 'exited', exitCode: 143 },
        elasticsearch: { state: 'exited', exitCode: 143 },
      }),
    );
    const fake = fakeDocker(
      healthyLaptop([
        // compose is still starting them while the first answers come back
        { match: ' up --detach$', answers: [{ stderr: upProgress(project, ['kafka']), hangMs: 1_500 }] },
        { match: ' ps --all --format json$', answers: [stale, stale, stale, allHealthy(p)] },
      ]),
    );
    const result = await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      putIndexTemplate: async () => {},
    });
    expect(result.views.every((v) => v.readiness === 'ready')).toBe(true);
  });

  it('names a service that turns unhealthy, with its state and the last lines of its log', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        {
          match: ' ps --all --format json$',
          answers: [
            { stdout: '' },
            ps(
              project,
              containers(p, {
                kafka: { state: 'running', health: 'healthy' },
                'kafka-connect': { state: 'running', health: 'unhealthy' },
              }),
            ),
          ],
        },
        {
          match: ' logs --no-color --tail 30 kafka-connect$',
          answers: [
            logs('kafka-connect', [
              '[2026-11-20 09:15:02,114] INFO Kafka Connect starting (org.apache.kafka.connect.runtime.Connect)',
              '[2026-11-20 09:17:40,001] ERROR Stopping due to error (org.apache.kafka.connect.cli.AbstractConnectCli)',
            ]),
          ],
        },
      ]),
    );
    const failure = await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      putIndexTemplate: async () => {},
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnvironmentError);
    const { message, hint } = failure as EnvironmentError;
    expect(message).toContain(
      'service "kafka-connect" (Kafka Connect): expected running and healthy, found running, unhealthy',
    );
    expect(message).toContain('--- last lines of its log (npm run logs -- kafka-connect) ---');
    expect(message).toContain('kafka-connect-1  | [2026-11-20 09:17:40,001] ERROR Stopping due to error');
    expect(hint).toContain('npm run logs -- kafka-connect shows its whole log');
  });

  it('says a service killed with code 137 ran out of memory, and what to raise', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        {
          match: ' ps --all --format json$',
          answers: [{ stdout: '' }, ps(project, containers(p, { elasticsearch: { state: 'exited', exitCode: 137 } }))],
        },
      ]),
    );
    const failure = (await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
    }).catch((error: unknown) => error)) as EnvironmentError;
    expect(failure.message).toContain(
      'service "elasticsearch" (Elasticsearch): expected running and healthy, found exited (code 137)',
    );
    expect(failure.hint).toContain('elasticsearch ran out of memory or was killed: give Docker more memory');
  });

  it('explains Elasticsearch stopping for vm.max_map_count', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        {
          match: ' ps --all --format json$',
          answers: [{ stdout: '' }, ps(project, containers(p, { elasticsearch: { state: 'exited', exitCode: 78 } }))],
        },
        {
          match: ' logs --no-color --tail 30 elasticsearch$',
          answers: [
            logs('elasticsearch', [
              'ERROR: [1] bootstrap checks failed. You must address the points described in the following [1] lines before starting Elasticsearch.',
              'bootstrap check failure [1] of [1]: max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]',
            ]),
          ],
        },
      ]),
    );
    const failure = (await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
    }).catch((error: unknown) => error)) as EnvironmentError;
    expect(failure.hint).toContain('sudo sysctl -w vm.max_map_count=262144');
  });

  // Docker Engine's words (libnetwork's port allocator), and Docker Desktop's (its port forwarder).
  it.each([
    ['Docker Engine', upPortTaken],
    ['Docker Desktop', upPortTakenDesktop],
  ])('reports a port docker compose could not publish, in %s’s words', async (_engine, portTaken) => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        { match: ' up --detach$', answers: [portTaken(project, 'kafka', p.ports.kafka)] },
        { match: ' ps --all --format json$', answers: [{ stdout: '' }] },
      ]),
    );
    const failure = (await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      intervalMs: 200,
    }).catch((error: unknown) => error)) as EnvironmentError;
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect(failure.message).toContain(
      `the platform could not publish port ${p.ports.kafka} on 127.0.0.1: expected it free, found it taken`,
    );
    expect(failure.hint).toContain(`lsof -nP -iTCP:${p.ports.kafka} -sTCP:LISTEN`);
  });

  it('names the dependency docker compose found unhealthy', async () => {
    const p = await smallPlatform();
    const starting = ps(project, containers(p, { kafka: { state: 'running', health: 'starting' } }));
    const fake = fakeDocker(
      healthyLaptop([
        { match: ' up --detach$', answers: [upDependencyUnhealthy(project, 'kafka')] },
        { match: ' ps --all --format json$', answers: [{ stdout: '' }, starting] },
      ]),
    );
    const failure = (await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
    }).catch((error: unknown) => error)) as EnvironmentError;
    expect(failure.message).toContain(
      'service "kafka" (Kafka broker): expected running and healthy, found running, starting',
    );
  });

  it('stops waiting at the deadline and says which services are not healthy', async () => {
    const p = await smallPlatform();
    const slow = ps(
      project,
      containers(p, {
        kafka: { state: 'running', health: 'healthy' },
        'kafka-connect': { state: 'running', health: 'starting' },
        elasticsearch: { state: 'running', health: 'healthy' },
      }),
    );
    const fake = fakeDocker(
      healthyLaptop([
        { match: ' ps --all --format json$', answers: [{ stdout: '' }, slow] },
        { match: ' logs --no-color --tail 30 kafka-connect$', answers: [logs('kafka-connect', ['Scanning plugins…'])] },
      ]),
    );
    const failure = (await up({
      docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
      compose: p.compose,
      clock: fakeClock(),
      startTimeoutMs: 10_000,
    }).catch((error: unknown) => error)) as TimeoutError;
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(failure.message).toContain(
      'the platform was not healthy within 10 s: expected every service running and healthy, found kafka-connect running, starting',
    );
    expect(failure.message).toContain('kafka-connect-1  | Scanning plugins…');
    expect(failure.hint).toContain('npm run up -- --timeout 20');
  });

  it('starts nothing when the preflight check fails', async () => {
    const p = await smallPlatform();
    const holder = await listen(p.ports.elasticsearch);
    try {
      const fake = fakeDocker(healthyLaptop());
      const failure = (await up({
        docker: new DockerCli({ env: fake.env, composeFile: p.composePath }),
        compose: p.compose,
        clock: fakeClock(),
      }).catch((error: unknown) => error)) as EnvironmentError;
      expect(failure.message).toContain('the preflight check found 1 problem, so the platform was not started');
      expect(failure.message).toContain(`✗ port ${p.ports.elasticsearch}`);
      expect(failure.hint).toBe('fix the items marked ✗, then run npm run up again');
      expect(fake.calls().some((args) => args.includes('up'))).toBe(false);
    } finally {
      holder.close();
    }
  });
});

describe('npm run status', () => {
  it('shows each service’s state, health and local address', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([
      {
        match: ' ps --all --format json$',
        answers: [
          ps(
            project,
            containers(p, {
              kafka: { state: 'running', health: 'healthy' },
              'kafka-connect': { state: 'exited', exitCode: 1 },
            }),
          ),
        ],
      },
    ]);
    expect(await statusCommand(parseCommand(statusSpec, []), { env: fake.env, composePath: p.composePath })).toBe(
      ExitCode.ok,
    );
    const rows = stdout.split('\n');
    expect(rows[0]).toMatch(/^service\s+state\s+health\s+local address$/);
    expect(rows).toContain(`kafka          running      healthy  127.0.0.1:${p.ports.kafka}`);
    expect(rows).toContain(`kafka-connect  exited                http://127.0.0.1:${p.ports.connect}`);
    expect(rows).toContain(`elasticsearch  not created           http://127.0.0.1:${p.ports.elasticsearch}`);
    expect(stdout).toContain(
      '1 of 3 services are up. Failed: kafka-connect — npm run logs -- kafka-connect shows why.',
    );
  });

  it('says the platform is not running, and prints JSON with --json', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([{ match: ' ps --all --format json$', answers: [{ stdout: '' }] }]);
    await statusCommand(parseCommand(statusSpec, []), { env: fake.env, composePath: p.composePath });
    expect(stdout).toContain('The platform is not running: start it with npm run up');
    stdout = '';
    await statusCommand(parseCommand(statusSpec, ['--json']), { env: fake.env, composePath: p.composePath });
    expect((JSON.parse(stdout) as { service: string; state: string }[]).map((v) => v.state)).toEqual([
      'not created',
      'not created',
      'not created',
    ]);
  });
});

describe('npm run down', () => {
  it('stops the platform and keeps its data', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([
      { match: ' down ', answers: [{ stderr: ' Container workshop-test-kafka-1  Removed\n' }] },
    ]);
    expect(await downCommand(parseCommand(downSpec, []), { env: fake.env, composePath: p.composePath })).toBe(
      ExitCode.ok,
    );
    expect(fake.calls()).toEqual([['compose', '--file', p.composePath, 'down', '--remove-orphans']]);
    expect(stderr).toContain('its data stays for the next npm run up');
  });

  it('with --volumes, says what data goes before removing it', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([{ match: ' down ', answers: [{ stderr: '' }] }]);
    await downCommand(parseCommand(downSpec, ['--volumes']), { env: fake.env, composePath: p.composePath });
    expect(fake.calls()).toEqual([['compose', '--file', p.composePath, 'down', '--remove-orphans', '--volumes']]);
    expect(stderr).toContain(
      "--volumes: removing the platform's data as well — Kafka topics, MySQL rows, Elasticsearch indexes and Kibana objects (volumes workshop-test_kafka-data)",
    );
    expect(stderr.indexOf('removing')).toBeLessThan(stderr.indexOf('the platform is stopped and its data removed'));
  });

  it('reports an engine that is not running as an environment problem', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([{ match: ' down ', answers: [{ stderr: infoEngineDown.stderr, exitCode: 1 }] }]);
    const failure = await downCommand(parseCommand(downSpec, []), { env: fake.env, composePath: p.composePath }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect((failure as EnvironmentError).message).toContain(
      'expected the platform to stop, found the Docker engine not running',
    );
  });
});

describe('npm run logs', () => {
  it('prints a service’s last lines, and refuses a service the platform does not have', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker([
      { match: ' logs ', answers: [logs('kafka', ['started (kafka.server.KafkaRaftServer)'])] },
    ]);
    await logsMain(logsSpec, ['kafka', '--tail', '5'], { env: fake.env, composePath: p.composePath });
    expect(stdout).toBe('kafka-1  | started (kafka.server.KafkaRaftServer)\n');
    expect(fake.calls()).toEqual([
      ['compose', '--file', p.composePath, 'logs', '--no-color', '--timestamps', '--tail', '5', 'kafka'],
    ]);
    await expect(logsMain(logsSpec, ['zookeeper'], { env: fake.env, composePath: p.composePath })).rejects.toThrow(
      'the platform has no service "zookeeper". Usage: npm run logs -- <service> [--tail N]; the services: kafka, kafka-connect, elasticsearch',
    );
    await expect(logsMain(logsSpec, [], { env: fake.env, composePath: p.composePath })).rejects.toThrow(UsageError);
    // A flag refused names the services too, as the command reads it before it knows which service.
    await expect(
      logsMain(logsSpec, ['kafka', '--tail', '0'], { env: fake.env, composePath: p.composePath }),
    ).rejects.toThrow(/--tail 0 is not .*; the services: kafka, kafka-connect, elasticsearch$/);
  });
});

describe('a service in a profile (step 15’s headless ksqlDB)', () => {
  it('is no service npm run up waits for, but npm run logs reads it and npm run down stops it, its profile named', async () => {
    const p = await smallPlatform({ profiled: true });
    expect(p.compose.services.map((s) => s.name)).toEqual(['kafka', 'kafka-connect', 'elasticsearch']);
    expect(p.compose.profiled.map((s) => [s.name, s.profiles])).toEqual([['ksqldb-headless', ['headless']]]);
    const fake = fakeDocker([
      { match: ' logs ', answers: [logs('ksqldb-headless', ['Server up and running'])] },
      { match: ' down ', answers: [{ stdout: '' }] },
    ]);
    await logsMain(logsSpec, ['ksqldb-headless', '--tail', '5'], { env: fake.env, composePath: p.composePath });
    expect(fake.calls()[0]).toEqual([
      'compose',
      '--file',
      p.composePath,
      '--profile',
      'headless',
      'logs',
      '--no-color',
      '--timestamps',
      '--tail',
      '5',
      'ksqldb-headless',
    ]);
    expect(await downCommand(parseCommand(downSpec, []), { env: fake.env, composePath: p.composePath })).toBe(
      ExitCode.ok,
    );
    expect(fake.calls().at(-1)).toEqual([
      'compose',
      '--file',
      p.composePath,
      '--profile',
      'headless',
      'down',
      '--remove-orphans',
    ]);
  });
});

describe('npm run prefetch', () => {
  it('pulls every image, builds the Connect image and reports the total size', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        { match: ' pull ', answers: [{ stdout: '' }] },
        { match: ' build ', answers: [{ stdout: '' }] },
        { match: '^image inspect', answers: [imagePresent(1024 ** 3)] },
      ]),
    );
    expect(await prefetchCommand(parseCommand(prefetchSpec, []), { env: fake.env, composePath: p.composePath })).toBe(
      ExitCode.ok,
    );
    const compose = fake.calls().filter((args) => args[0] === 'compose' && args[1] !== 'version');
    expect(compose.map((args) => args.slice(3))).toEqual([
      ['pull', '--ignore-buildable'],
      ['build', 'kafka-connect'],
    ]);
    expect(stdout).toContain(`kafka-connect  ${connectImage}`);
    expect(stdout).toContain('Total: 3.0 GB in 3 images.');
    expect(stderr).toContain('npm run up works offline from now on');
  });

  it('fails, with the network as the likely cause, when a download fails', async () => {
    const p = await smallPlatform();
    const fake = fakeDocker(
      healthyLaptop([
        {
          match: ' pull ',
          answers: [
            {
              stderr:
                'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\n',
              exitCode: 18,
            },
          ],
        },
      ]),
    );
    const failure = (await prefetchCommand(parseCommand(prefetchSpec, []), {
      env: fake.env,
      composePath: p.composePath,
    }).catch((e: unknown) => e)) as EnvironmentError;
    expect(failure.message).toContain('expected every image to download');
    expect(failure.message).toContain('no such host');
    expect(failure.hint).toBe('check the network connection, then run npm run prefetch again');
  });
});

describe('the CLI with a Docker engine that is not running', () => {
  function cli(args: string[], env: NodeJS.ProcessEnv) {
    const result = spawnSync('npx', ['tsx', 'workshop/cli.ts', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...env, NO_COLOR: '1' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('exits 3 with what to do and no stack trace', () => {
    const fake = fakeDocker([
      { match: '^info ', answers: [infoEngineDown] },
      { match: '^compose ', answers: [{ stderr: infoEngineDown.stderr, exitCode: 1 }] },
    ]);
    const status = cli(['status'], fake.env);
    expect(status.code).toBe(ExitCode.environment);
    expect(status.stderr).toContain(
      'Error: expected Docker Compose to list the platform’s containers, found the Docker engine not running',
    );
    expect(status.stderr).toContain('→ start Docker Desktop');
    expect(status.stderr).not.toMatch(/\n\s+at /);
    const preflight = cli(['preflight'], fake.env);
    expect(preflight.code).toBe(ExitCode.environment);
    expect(preflight.stdout).toContain('✗ Docker engine');
    expect(preflight.stderr).not.toMatch(/\n\s+at /);
    // Two CLI processes through npx: seconds each while the integration stack starts beside them.
  }, 120_000);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
