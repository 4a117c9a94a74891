/**
 * The instructor's room on this machine, served by a real `npm run room` with a page open (a live feed, read as a
 * browser reads it):
 *
 * 1. Reports per second it accepts: 32 senders at once, as fast as it answers, spread over 500 learners (the room's
 *    most), for 10 s. Every accepted report is on disk before its answer, so the disk's flush is in this figure.
 * 2. Check → page: from a report sent to the page receiving it, p50 and p99, while 200 simulated learners report every
 *    2 s around it; and from a real `npm run check` of a joined learner exiting to the page showing its result.
 * 3. What the room costs a check: `npm run check step-3` (the platform down: a fast, full check) without a room,
 *    joined to the open room, joined to a room that is gone (nothing listens) and to one that never answers (it
 *    takes the connection and says nothing), interleaved in the same run; median and ratio to no room. The goal is
 *    none measurable: the report goes from a process of its own that the check never waits for. (The tests only
 *    prove that the check says the same in each case; how long it takes is this figure's.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { progress } from '#core/output.js';
import { NotYet, waitFor } from '#core/wait.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import {
  openRoomFeed,
  postReport,
  type RoomView,
  type SimulatedReport,
  simulatedLearnerId,
  startRoomProcess,
} from '#workshop/dev/testing/room-driver.js';
import { everythingDownEnv, runCli } from '#workshop/dev/testing/run-cli.js';
import { median, percentile } from '#workshop/dev/testing/stats.js';
import { readMembership, writeMembership } from '#workshop/room/reporter.js';
import { printTable } from './stack-bench.js';

const report = (n: number, label: string): SimulatedReport => ({
  learnerId: simulatedLearnerId(n),
  name: `Learner ${n}`,
  step: `step-${1 + (n % 10)}`,
  outcome: 'fail',
  failing: [{ object: `topic "t${n % 7}"`, message: `expected records, found none (${label})` }],
});

const ms = (value: number) => `${Math.round(value)} ms`;

async function throughput(base: string, code: string, seconds: number) {
  const learners = 500;
  let accepted = 0;
  let limited = 0;
  let other = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (Date.now() < until) {
        const n = next++ % learners;
        const status = await postReport(base, code, report(n, `load ${next}`));
        if (status === 200) accepted++;
        else if (status === 429) limited++;
        else other++;
      }
    }),
  );
  return { perSecond: accepted / seconds, limited, other };
}

/** Sends one probe report at a time amid background learners; the time until the page shows each. */
async function pageLatency(base: string, code: string, samples: number) {
  const feed = await openRoomFeed(base);
  const pending = new Map<string, { label: string; sentAt: number }>();
  const latencies: number[] = [];
  feed.onRoom((room: RoomView, at: number) => {
    for (const learner of room.learners) {
      const probe = learner.id ? pending.get(learner.id) : undefined;
      if (probe && learner.failing[0]?.message.includes(probe.label)) {
        latencies.push(at - probe.sentAt);
        pending.delete(learner.id as string);
      }
    }
  });
  let running = true;
  const background = Array.from({ length: 200 }, async (_, n) => {
    for (let round = 0; running; round++) {
      await postReport(base, code, report(1000 + n, `background ${round}`));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  });
  for (let i = 0; i < samples; i++) {
    const n = 2000 + (i % 50);
    const label = `probe ${i}`;
    pending.set(simulatedLearnerId(n), { label, sentAt: Date.now() });
    await postReport(base, code, report(n, label));
    await waitFor({
      what: `probe ${i} on the page`,
      timeoutMs: 10_000,
      intervalMs: 5,
      probe: async () => (pending.has(simulatedLearnerId(n)) ? new NotYet('not shown') : true),
    });
  }
  running = false;
  await Promise.all(background);
  feed.close();
  return latencies;
}

export async function benchRoom(runs = 10): Promise<void> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'room-bench-'));
  let silent: Server | undefined;
  const held: Socket[] = [];
  progress('room: starting npm run room with a page open');
  const room = await startRoomProcess({ stateDir: path.join(state, 'room') });
  const page = await openRoomFeed(room.base);
  try {
    progress('room: reports per second (10 s)');
    const load = await throughput(room.base, room.code, 10);
    page.close();

    progress('room: check → page latency, simulated reports amid 200 learners reporting every 2 s');
    // A fresh room: the throughput run filled this one to its 500 learners.
    await fetch(`${room.base}/api/admin/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const fresh = await (await fetch(`${room.base}/api/room`)).json();
    const code = /([0-9A-Z]{4}-[0-9A-Z]{4}) --name/.exec((fresh as RoomView).join)?.[1] ?? room.code;
    const simulated = await pageLatency(room.base, code, 200);

    progress(`room: npm run check with and without a room, ${runs} runs each`);
    const down = await everythingDownEnv();
    const envs = {
      'no room': { ...down, WORKSHOP_STATE_DIR: path.join(state, 'none') },
      'joined, room open': { ...down, WORKSHOP_STATE_DIR: path.join(state, 'open') },
      'joined, room gone': { ...down, WORKSHOP_STATE_DIR: path.join(state, 'gone') },
      'joined, room silent': { ...down, WORKSHOP_STATE_DIR: path.join(state, 'silent') },
    };
    for (const label of ['joined, room open', 'joined, room gone', 'joined, room silent'] as const) {
      const joined = await runCli(['join', room.base, code, '--name', label], envs[label]);
      if (joined.code !== 0) throw new Error(`join failed: ${joined.stderr}`);
    }
    const gone = readMembership(envs['joined, room gone']);
    if (gone) writeMembership({ ...gone, url: `http://127.0.0.1:${await freePort()}` }, envs['joined, room gone']);
    // A room that takes the connection and never answers: the sender's own timeout ends it, never the check.
    silent = createServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const quiet = readMembership(envs['joined, room silent']);
    if (quiet) writeMembership({ ...quiet, url: `http://127.0.0.1:${silentPort}` }, envs['joined, room silent']);
    const feed = await openRoomFeed(room.base);
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(envs).map((k) => [k, []]));
    const checkToPage: number[] = [];
    for (let run = 0; run < runs; run++) {
      for (const [label, env] of Object.entries(envs)) {
        const before = feed.latest()?.received ?? 0;
        const check = await runCli(['check', 'step-3'], env);
        const exitedAt = Date.now();
        times[label]?.push(check.elapsedMs);
        if (label === 'joined, room open') {
          // The report arrives after the check has exited: the check never waits for it.
          await waitFor({
            what: 'the check on the page',
            timeoutMs: 10_000,
            intervalMs: 5,
            probe: async () => ((feed.latest()?.received ?? 0) > before ? true : new NotYet('not shown')),
          });
          checkToPage.push(Date.now() - exitedAt);
        }
      }
    }
    feed.close();

    printTable(
      "The instructor's room (npm run room), a page open",
      ['figure', 'value'],
      [
        ['reports accepted per second (32 senders, on disk before each answer)', load.perSecond.toFixed(0)],
        ['refused by the per-learner rate limit / failed', `${load.limited} / ${load.other}`],
      ],
    );
    printTable(
      'Check → page (time until the open page receives it)',
      ['path', 'samples', 'p50', 'p99', 'max'],
      [
        [
          'simulated report sent → page, amid 200 learners every 2 s',
          String(simulated.length),
          ms(percentile(simulated, 50)),
          ms(percentile(simulated, 99)),
          ms(Math.max(...simulated)),
        ],
        [
          'npm run check step-3 exited → page (its sender starts after)',
          String(checkToPage.length),
          ms(percentile(checkToPage, 50)),
          ms(percentile(checkToPage, 99)),
          ms(Math.max(...checkToPage)),
        ],
      ],
    );
    const baseline = median(times['no room'] ?? []);
    printTable(
      'What the room costs npm run check step-3 (platform down, process start included; goal: none measurable)',
      ['learner', 'runs', 'median', 'ratio to no room'],
      Object.entries(times).map(([label, values]) => [
        label,
        String(values.length),
        ms(median(values)),
        (median(values) / baseline).toFixed(2),
      ]),
    );
  } finally {
    silent?.close();
    for (const socket of held) socket.destroy();
    room.cli.kill('SIGTERM');
    await room.cli.done.catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  }
}
