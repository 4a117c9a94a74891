import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import { composeMissing, infoEngineDown, infoRunning, ps, psLine } from '#workshop/platform/testing/docker-answers.js';
import { fakeDocker, pathWithoutDocker } from '#workshop/platform/testing/fake-docker.js';
import { DockerCli, dockerFailure, parseComposePs, parseEngineInfo, versionAtLeast } from './docker.js';

const result = (stderr: string, exitCode: number | null = 1, timedOut = false) => ({
  command: 'docker info --format {{json .}}',
  exitCode,
  stdout: '',
  stderr,
  timedOut,
});

describe('reading docker’s answers', () => {
  it('reads the engine’s memory, architecture and version from docker info', () => {
    expect(parseEngineInfo(infoRunning({ memTotalBytes: 8_000_000_000, architecture: 'x86_64' }).stdout ?? '')).toEqual(
      {
        serverVersion: '28.2.2',
        memTotalBytes: 8_000_000_000,
        cpus: 8,
        architecture: 'x86_64',
        operatingSystem: 'Docker Desktop',
        osType: 'linux',
      },
    );
  });

  it('reads compose ps as one object per line (Compose 2.21+) or as one array (earlier Compose v2)', () => {
    const lines = ps('demo', [
      { service: 'kafka', state: 'running', health: 'healthy', ports: [[9092, 9092]] },
      { service: 'mysql', state: 'exited', exitCode: 137 },
    ]).stdout;
    const expected = [
      {
        service: 'kafka',
        name: 'demo-kafka-1',
        state: 'running',
        health: 'healthy',
        exitCode: 0,
        status: 'Up 41 seconds (healthy)',
        publishers: [{ url: '127.0.0.1', targetPort: 9092, publishedPort: 9092, protocol: 'tcp' }],
      },
      {
        service: 'mysql',
        name: 'demo-mysql-1',
        state: 'exited',
        health: '',
        exitCode: 137,
        status: 'Exited (137) 4 seconds ago',
        publishers: [],
      },
    ];
    expect(parseComposePs(lines ?? '')).toEqual(expected);
    const array = `[${psLine('demo', { service: 'kafka', state: 'running', health: 'healthy', ports: [[9092, 9092]] })},${psLine('demo', { service: 'mysql', state: 'exited', exitCode: 137 })}]`;
    expect(parseComposePs(array)).toEqual(expected);
    expect(parseComposePs('')).toEqual([]);
  });

  it('compares versions, Compose 5 included', () => {
    expect(versionAtLeast('2.36.2', '2.20.0')).toBe(true);
    expect(versionAtLeast('2.20.0', '2.20.0')).toBe(true);
    expect(versionAtLeast('2.17.3', '2.20.0')).toBe(false);
    expect(versionAtLeast('5.0.1', '2.20.0')).toBe(true);
    expect(versionAtLeast('2.3.3-desktop.2', '2.20.0')).toBe(false);
  });
});

describe('a docker call that fails', () => {
  it('says the engine is not running, with what to start', () => {
    const error = dockerFailure(result(infoEngineDown.stderr ?? ''), 'the Docker engine to answer', 30_000);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toBe(
      'expected the Docker engine to answer, found the Docker engine not running: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    );
    expect(error.hint).toContain('start Docker Desktop (Linux: sudo systemctl start docker)');
  });

  it('tells a missing permission on Linux from an engine that is down', () => {
    const error = dockerFailure(
      result(
        'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/info": dial unix /var/run/docker.sock: connect: permission denied\n',
      ),
      'the Docker engine to answer',
      30_000,
    );
    expect(error.message).toContain('found no permission to use the Docker engine');
    expect(error.hint).toContain('sudo usermod -aG docker $USER');
  });

  it('says when docker did not answer in time', () => {
    const error = dockerFailure(result('', null, true), 'the Docker engine to answer', 30_000);
    expect(error.message).toBe(
      'expected the Docker engine to answer, but "docker info --format {{json .}}" did not answer within 30 s',
    );
  });
});

describe('DockerCli against a stand-in docker', () => {
  it('reports docker missing from PATH', async () => {
    const docker = new DockerCli({ env: pathWithoutDocker(), composeFile: 'docker-compose.yml' });
    await expect(docker.engineInfo()).rejects.toThrow(
      'expected the docker command, found none on PATH (running "docker info --format {{json .}}")',
    );
  });

  it('reports Compose v2 missing, as the client without its plugin answers', async () => {
    const fake = fakeDocker([{ match: '^compose version', answers: [composeMissing] }]);
    const docker = new DockerCli({ env: fake.env, composeFile: 'docker-compose.yml' });
    await expect(docker.composeVersion()).rejects.toThrow(
      'Docker Compose v2 is not installed: expected Docker Compose to print its version, found the docker client without it (it said: unknown flag: --short)',
    );
  });

  it('ends a call that outlives its timeout', async () => {
    // A call that hangs for ten minutes: only the kit ending it lets the test finish (within vitest's own timeout).
    const fake = fakeDocker([{ match: '^info', answers: [{ hangMs: 600_000 }] }]);
    const docker = new DockerCli({ env: fake.env, composeFile: 'docker-compose.yml' });
    const answer = await docker.run(['info', '--format', '{{json .}}'], 300);
    expect(answer.timedOut).toBe(true);
  });

  it('reports Compose v2 missing from any compose command, which the client refuses before asking the engine', async () => {
    const fake = fakeDocker([
      {
        match: '^compose --file',
        answers: [
          {
            stderr:
              "unknown flag: --file\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n",
            exitCode: 125,
          },
        ],
      },
    ]);
    const docker = new DockerCli({ env: fake.env, composeFile: 'docker-compose.yml' });
    const failure = await docker.composePs().catch((error: unknown) => error);
    expect((failure as EnvironmentError).message).toBe(
      'Docker Compose v2 is not installed: expected Docker Compose to list the platform’s containers, found the docker client without it (it said: unknown flag: --file)',
    );
  });

  it('passes the compose file to every compose command', async () => {
    const fake = fakeDocker([{ match: '^compose', answers: [{ stdout: '' }] }]);
    const docker = new DockerCli({ env: fake.env, composeFile: '/somewhere/docker-compose.yml' });
    await docker.composePs();
    expect(fake.calls()).toEqual([
      ['compose', '--file', '/somewhere/docker-compose.yml', 'ps', '--all', '--format', 'json'],
    ]);
  });
});
