import { describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.js';
import { flinkConfig, flinkVersions, parseResourceParams, stackWith } from './flink.js';

describe('the local stack’s Flink', () => {
  it('reads the JVM flags and dynamic properties from BashJavaUtils’ result lines', () => {
    const stdout = [
      'INFO some log line',
      'BASH_JAVA_UTILS_EXEC_RESULT:-Xmx469762048 -Xms469762048 -XX:MaxMetaspaceSize=268435456',
      'BASH_JAVA_UTILS_EXEC_RESULT:-D jobmanager.memory.heap.size=469762048b -D jobmanager.memory.off-heap.size=134217728b',
    ].join('\n');
    expect(parseResourceParams(stdout, 'GET_JM_RESOURCE_PARAMS')).toEqual({
      jvm: ['-Xmx469762048', '-Xms469762048', '-XX:MaxMetaspaceSize=268435456'],
      dynamic: ['-D', 'jobmanager.memory.heap.size=469762048b', '-D', 'jobmanager.memory.off-heap.size=134217728b'],
    });
    expect(() => parseResourceParams('Error: no config', 'GET_TM_RESOURCE_PARAMS')).toThrow(
      /BashJavaUtils GET_TM_RESOURCE_PARAMS printed no memory settings/,
    );
  });

  it('binds every address to 127.0.0.1 and uses the ports it was given', () => {
    const config = flinkConfig({ rest: 1001, rpc: 1002, gateway: 1003 }, '/tmp/f');
    expect(config).toContain('rest.port: 1001\n');
    expect(config).toContain('jobmanager.rpc.port: 1002\n');
    expect(config).toContain('sql-gateway.endpoint.rest.port: 1003\n');
    const addresses = config.split('\n').filter((line) => /(address|host): /.test(line));
    expect(addresses.length).toBeGreaterThanOrEqual(7);
    for (const line of addresses) expect(line).toMatch(/: 127\.0\.0\.1$/);
  });

  it('restarts a job after a passing failure, as the learners’ cluster does', async () => {
    const config = flinkConfig({ rest: 1, rpc: 2, gateway: 3 }, '/tmp/f');
    const { readComposeFile } = await import('#workshop/platform/compose-file.js');
    const jobManager = (readComposeFile().raw.services as Record<string, { environment?: Record<string, string> }>)[
      'flink-jobmanager'
    ];
    for (const line of config.split('\n').filter((l) => l.startsWith('restart-strategy'))) {
      expect(jobManager?.environment?.FLINK_PROPERTIES, line).toContain(line);
    }
    expect(config).toContain('restart-strategy.type: fixed-delay\n');
  });

  it('is started only when WORKSHOP_STACK_WITH names it; an unknown part is refused', () => {
    expect(stackWith({})).toEqual(new Set());
    expect(stackWith({ WORKSHOP_STACK_WITH: ' Flink ' })).toEqual(new Set(['flink']));
    expect(() => stackWith({ WORKSHOP_STACK_WITH: 'flink,spark' })).toThrow(ConfigError);
    expect(() => stackWith({ WORKSHOP_STACK_WITH: 'spark' })).toThrow(/names "spark", which the stack cannot add/);
  });

  it('pins Flink and its Kafka connector in its own pom', () => {
    expect(flinkVersions()).toEqual({ flink: '2.2.0', kafkaConnector: '5.0.0-2.2' });
  });
});
