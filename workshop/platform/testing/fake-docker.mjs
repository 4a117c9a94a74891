#!/usr/bin/env node
/**
 * A stand-in for the docker client, for the platform commands' tests on machines without a Docker engine. The test
 * writes a scenario (JSON, path in FAKE_DOCKER_SCENARIO): rules, each a regular expression over the arguments and
 * the answers to give, in turn, to the calls it matches (the last answer repeats). Each answer is what the real
 * client prints for that case (see docker-answers.ts). Every call is appended to the scenario's call log.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const scenarioPath = process.env.FAKE_DOCKER_SCENARIO;
if (!scenarioPath) {
  process.stderr.write('fake docker: FAKE_DOCKER_SCENARIO is not set\n');
  process.exit(125);
}
const scenario = JSON.parse(readFileSync(scenarioPath, 'utf8'));
const args = process.argv.slice(2);
appendFileSync(scenario.callLog, `${JSON.stringify(args)}\n`);

const line = args.join(' ');
const index = scenario.rules.findIndex((rule) => new RegExp(rule.match).test(line));
if (index === -1) {
  // What the real client says for a command it does not know.
  process.stderr.write(
    `docker: unknown command: docker ${args[0] ?? ''}\n\nRun 'docker --help' for more information\n`,
  );
  process.exit(1);
}
// One counter file per rule: calls of different rules may run at once (npm run up polls while compose starts).
const counterPath = `${scenarioPath}.rule-${index}`;
const count = existsSync(counterPath) ? Number(readFileSync(counterPath, 'utf8')) : 0;
writeFileSync(counterPath, String(count + 1));
const answers = scenario.rules[index].answers;
const answer = answers[Math.min(count, answers.length - 1)];
if (answer.stdout) process.stdout.write(answer.stdout);
if (answer.stderr) process.stderr.write(answer.stderr);
// A client that hangs (an engine that does not answer), for the kit's timeouts.
if (answer.hangMs) await delay(answer.hangMs);
process.exit(answer.exitCode ?? 0);
