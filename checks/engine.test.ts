import { describe, expect, it } from 'vitest';
import { ServiceAbsent, Services, ServiceUnavailable } from '#checks/clients/services.js';
import { loadConfig } from '#core/config.js';
import { EnvironmentError, NotYetError } from '#core/errors.js';
import { fakeClock } from '#workshop/dev/testing/fake-clock.js';
import type { Expectation, Step } from './course.js';
import { runStep } from './engine.js';
import type { ExpectationKind } from './kind.js';
import type { Observation } from './types.js';

/** A kind whose looks are scripted: each call returns the next observation (the last one repeats). */
function scripted(name: string, looks: (Observation | Error)[], deadlineMs = 10_000): Expectation {
  let call = 0;
  const kind: ExpectationKind<null> = {
    kind: 'scripted',
    deadlineMs,
    parse: () => null,
    object: () => name,
    expected: () => 'it to be so',
    observe: async () => {
      const look = looks[Math.min(call++, looks.length - 1)] as Observation | Error;
      if (look instanceof Error) throw look;
      return look;
    },
  };
  return { kind, params: null, hint: `the hint of ${name}` };
}

function step(expectations: Expectation[], independent = false): Step {
  return {
    id: 'step-9',
    number: 9,
    title: 'A step',
    folder: '/nowhere',
    guidePath: 'steps/09-a-step/guide.md',
    checkSection: 'Check your work',
    hints: [],
    expectations,
    solution: [],
    independent,
    stage: [],
    concepts: [],
    optional: false,
    engine: 'ksqldb',
    variants: ['ksqldb'],
  };
}

const config = loadConfig({});
const context = () => ({ config, services: new Services(config), passive: false, clock: fakeClock() });

describe('runStep', () => {
  it('looks again at a server in a passing state, and calls it not yet (never an error) at the deadline', async () => {
    const passing = new NotYetError('ksqlDB is not ready yet: KafkaStreams is not running. State is REBALANCING.');
    const passed = await runStep(
      step([scripted('a table', [passing, passing, { outcome: 'pass', found: 'rows' }])]),
      context(),
    );
    expect(passed.outcome).toBe('pass');
    const waited = await runStep(step([scripted('a table', [passing], 3_000)]), context());
    expect(waited.outcome).toBe('not-yet');
    expect(waited.expectations[0]?.found).toMatch(/^ksqlDB is not ready yet: .*REBALANCING\. \(after 3 s\)$/);
  });

  it('says which service the platform does not run, apart from one it cannot reach', async () => {
    const absent = await runStep(step([scripted('a stream', [new ServiceAbsent('ksqlDB')])]), context());
    expect(absent.outcome).toBe('environment-error');
    expect(absent.expectations[0]).toMatchObject({ absent: 'ksqlDB', unreachable: 'ksqlDB' });
    expect(absent.expectations[0]?.found).toBe('ksqlDB is not part of this platform (WORKSHOP_KSQLDB_URL=none)');
    const down = await runStep(
      step([scripted('a stream', [new ServiceUnavailable('ksqlDB', 'http://127.0.0.1:8088', 'refused')])]),
      context(),
    );
    expect(down.expectations[0]?.absent).toBeUndefined();
    expect(down.expectations[0]?.unreachable).toBe('ksqlDB');
  });

  it('gives a kind the deadline its parameters need (a window of N minutes)', async () => {
    const deadlines: number[] = [];
    const windowed: Expectation = {
      kind: {
        kind: 'windowed',
        deadlineMs: 10_000,
        deadlineFor: (params: { windowMs: number }) => params.windowMs + 5_000,
        parse: (p) => p as never,
        object: () => 'a windowed table',
        expected: () => 'a closed window',
        observe: async (_params, { clock }, _memory, look) => {
          deadlines.push(look.deadline - clock.now());
          return { outcome: 'pass', found: 'closed' };
        },
      },
      params: { windowMs: 120_000 },
      hint: 'wait',
    };
    await runStep(step([windowed]), context());
    expect(deadlines).toEqual([125_000]);
  });

  it('tells each look its deadline, scaled, and from the step file when the step gives one', async () => {
    const deadlines: number[] = [];
    const watching = (deadlineMs?: number): Expectation => ({
      kind: {
        kind: 'waits',
        deadlineMs: 10_000,
        parse: () => null,
        object: () => 'a waiting look',
        expected: () => 'it to be so',
        observe: async (_params, _context, _memory, look) => {
          deadlines.push(look.deadline);
          return { outcome: 'pass', found: 'so' };
        },
      },
      params: null,
      hint: 'none',
      deadlineMs,
    });
    await runStep(step([watching()]), context());
    await runStep(step([watching()]), context(), { deadlineScale: 0.5 });
    await runStep(step([watching(4_000)]), context(), { deadlineScale: 0.5 });
    expect(deadlines).toEqual([10_000, 5_000, 2_000]);
  });

  it('retries "not yet" until the expectation passes', async () => {
    const result = await runStep(
      step([
        scripted('topic "t"', [
          { outcome: 'not-yet', found: '1 of 3' },
          { outcome: 'not-yet', found: '2 of 3' },
          { outcome: 'not-yet', found: '2 of 3' },
          { outcome: 'not-yet', found: '2 of 3' },
          { outcome: 'pass', found: '3 of 3' },
        ]),
      ]),
      context(),
    );
    expect(result.outcome).toBe('pass');
    // Looks again after 0.1 s, then 0.2, 0.4, and every 0.5 s from then on.
    expect(result.expectations[0]).toMatchObject({ outcome: 'pass', found: '3 of 3', elapsedMs: 1_200 });
  });

  it('gives the verdict the observation names when the deadline passes', async () => {
    const result = await runStep(
      step([scripted('topic "t"', [{ outcome: 'not-yet', found: 'no new records', atDeadline: 'fail' }], 2_000)]),
      context(),
    );
    expect(result.outcome).toBe('fail');
    expect(result.expectations[0]).toMatchObject({
      object: 'topic "t"',
      expected: 'it to be so',
      found: 'no new records (after 2 s)',
      hint: 'the hint of topic "t"',
    });
    expect(result.next).toBe('read steps/09-a-step/guide.md (Check your work), then run npm run check step-9');
  });

  it('stays "not yet" at the deadline unless told otherwise', async () => {
    const result = await runStep(
      step([scripted('x', [{ outcome: 'not-yet', found: 'converging' }], 1_000)]),
      context(),
    );
    expect(result.outcome).toBe('not-yet');
  });

  it('turns an environment error into its own outcome, with its hint', async () => {
    const result = await runStep(
      step([scripted('x', [new EnvironmentError('Kafka at 127.0.0.1:9092 is not reachable', 'npm run up')])]),
      context(),
    );
    expect(result.expectations[0]).toMatchObject({
      outcome: 'environment-error',
      found: 'Kafka at 127.0.0.1:9092 is not reachable',
      hint: 'npm run up',
    });
  });

  it('lets an unexpected error through: it is a bug in the kit, not a verdict', async () => {
    await expect(runStep(step([scripted('x', [new TypeError('oops')])]), context())).rejects.toThrow('oops');
  });

  it('stops at the first expectation that does not pass', async () => {
    const result = await runStep(
      step([
        scripted('a', [{ outcome: 'pass', found: 'ok' }]),
        scripted('b', [{ outcome: 'fail', found: 'wrong' }]),
        scripted('c', [{ outcome: 'pass', found: 'ok' }]),
      ]),
      context(),
    );
    expect(result.expectations.map((e) => e.object)).toEqual(['a', 'b']);
    expect(result.outcome).toBe('fail');
  });

  it('runs every expectation of an independent step, and the worst outcome wins', async () => {
    const result = await runStep(
      step(
        [
          scripted('a', [new EnvironmentError('down')]),
          scripted('b', [{ outcome: 'fail', found: 'wrong' }]),
          scripted('c', [{ outcome: 'pass', found: 'ok' }]),
        ],
        true,
      ),
      context(),
    );
    expect(result.expectations.map((e) => e.outcome)).toEqual(['environment-error', 'fail', 'pass']);
    expect(result.outcome).toBe('environment-error');
  });

  it('leaves probes out in passive mode', async () => {
    const probe = scripted('probe', [{ outcome: 'fail', found: 'sent a probe' }]);
    (probe.kind as { probe?: boolean }).probe = true;
    const result = await runStep(step([scripted('a', [{ outcome: 'pass', found: 'ok' }]), probe]), {
      ...context(),
      passive: true,
    });
    expect(result.expectations.map((e) => e.object)).toEqual(['a']);
    expect(result.outcome).toBe('pass');
  });
});
