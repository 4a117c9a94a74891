import { describe, expect, it } from 'vitest';
import { everythingDownEnv, runCli } from '#workshop/dev/testing/run-cli.js';

const everythingDown = everythingDownEnv;

describe('npm run check', () => {
  // How fast is a benchmark's business (npm run bench -- --only check); here only what is reported.
  it('with every service down, reports environment errors (exit 3), naming each service', async () => {
    const env = await everythingDown();
    const run = await runCli(['check'], env);
    expect(run.code).toBe(3);
    for (const service of ['Kafka', 'Kafka Connect', 'ksqlDB', 'MySQL', 'Elasticsearch', 'Kibana']) {
      expect(run.stdout).toContain(`service ${service}: expected`);
    }
    expect(run.stdout).toContain('not your mistake: the platform is not ready');
    expect(run.stdout).toMatch(/step-1 +! environment error/);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it('prints the same verdict as JSON with --json', async () => {
    const run = await runCli(['check', 'step-3', '--json'], await everythingDown());
    expect(run.code).toBe(3);
    const [result] = JSON.parse(run.stdout) as { id: string; outcome: string; expectations: { found: string }[] }[];
    expect(result).toMatchObject({ id: 'step-3', outcome: 'environment-error' });
    expect(result?.expectations[0]?.found).toMatch(/^Kafka Connect at http:\/\/127\.0\.0\.1:\d+ is not reachable/);
  });

  it.each([
    [['check', 'step-42'], /unknown step "step-42". The steps are:\n {2}step-1/],
    [['check', '--jsn'], /Unknown option '--jsn'.*Usage: npm run check/],
    [['check', 'step-1', 'step-2'], /check takes one step at most/],
    [['check', '--watch', '--json', 'step-1'], /--watch and --json do not go together/],
    [['check', '--watch'], /--watch needs a step to watch/],
    [['solve'], /solve needs exactly one step/],
    [['reset', 'step-0'], /unknown step "step-0"/],
    [['connector', 'apply', 'no-such-file.json'], /no file .*no-such-file\.json: give the path/],
  ])('refuses %j with exit 2 and says what is valid', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
