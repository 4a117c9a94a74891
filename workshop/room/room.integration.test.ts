/**
 * The instructor's room as it runs in a workshop: `npm run room` as a real process on 127.0.0.1, learners as
 * simulated checks posting over real HTTP (and real `npm run check` runs of a joined learner), the page in Debian's
 * Chromium through playwright-core. Needs no local stack: it runs with WORKSHOP_TEST_STACK=none too. Where no Chromium
 * is installed the browser part is skipped with the reason, except in CI. Screenshots go to test-artifacts/room/.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotYet, waitFor } from '#core/wait.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import {
  openRoomFeed,
  postReport,
  type RoomProcess,
  type SimulatedReport,
  simulatedLearnerId,
  startRoomProcess,
} from '#workshop/dev/testing/room-driver.js';
import { everythingDownEnv, runCli, startCli } from '#workshop/dev/testing/run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const noBrowser = chromium ? undefined : 'no Chromium installed (apt-get install chromium)';
if (noBrowser && process.env.CI) throw new Error(`CI needs the room's browser tests: ${noBrowser}`);
const artifacts = path.join(root, 'test-artifacts', 'room');

const rooms: RoomProcess[] = [];
async function room(options: Parameters<typeof startRoomProcess>[0] = {}) {
  const started = await startRoomProcess(options);
  rooms.push(started);
  return started;
}
afterEach(async () => {
  for (const r of rooms.splice(0)) {
    r.cli.kill('SIGTERM');
    await r.cli.done.catch(() => undefined);
  }
});

const roundOf = (message: string | undefined) => Number(/round (\d+)/.exec(message ?? '')?.[1] ?? -1);
const simulated = (n: number, round: number): SimulatedReport => ({
  learnerId: simulatedLearnerId(n),
  name: `Learner ${n}`,
  step: `step-${1 + ((n + round) % 10)}`,
  outcome: 'fail',
  failing: [{ object: `topic "t${n % 7}"`, message: `expected records, found none (round ${round})` }],
});

describe("the instructor's room", () => {
  it('takes 200 learners reporting every 2 s for a minute: none lost, the page current', async () => {
    const r = await room();
    const feed = await openRoomFeed(r.base);
    const learners = 200;
    const rounds = 30;
    const statuses = new Map<number, number>();
    const lastAcked = new Map<number, number>();
    const learner = async (n: number) => {
      // Learners are spread over the 2 s, as real ones are.
      const start = Date.now() + (n / learners) * 2_000;
      for (let round = 0; round < rounds; round++) {
        const due = start + round * 2_000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        const status = await postReport(r.base, r.code, simulated(n, round));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) lastAcked.set(n, round);
      }
    };
    await Promise.all(Array.from({ length: learners }, (_, n) => learner(n)));
    expect(Object.fromEntries(statuses)).toEqual({ 200: learners * rounds });
    // The page shows every report within 2 s of the last one.
    const shown = await waitFor({
      what: 'the page to show every report',
      timeoutMs: 2_000,
      intervalMs: 20,
      probe: async () => {
        const view = feed.latest();
        return view && view.received === learners * rounds ? view : new NotYet(`received ${view?.received}`);
      },
    });
    feed.close();
    expect(shown.learners).toHaveLength(learners);
    for (const l of shown.learners) {
      const n = Number(l.name.replace('Learner ', ''));
      expect(l.step, l.name).toBe(simulated(n, rounds - 1).step);
      expect(roundOf(l.failing[0]?.message), l.name).toBe(rounds - 1);
    }
    expect(shown.steps.reduce((sum, s) => sum + s.learners, 0)).toBe(learners);
  }, 180_000);

  it('loses nothing it acknowledged when killed (kill -9) mid-room and started again', async () => {
    const first = await room();
    const learners = 40;
    const acked = new Map<number, number>();
    let round = 0;
    let running = true;
    const reporting = (async () => {
      while (running) {
        const r = round++;
        await Promise.all(
          Array.from({ length: learners }, async (_, n) => {
            if ((await postReport(first.base, first.code, simulated(n, r), 2_000)) === 200) acked.set(n, r);
          }),
        );
      }
    })();
    await waitFor({
      what: 'a few rounds of reports',
      timeoutMs: 30_000,
      intervalMs: 20,
      probe: async () => (round >= 3 ? true : new NotYet(`round ${round}`)),
    });
    // Killed in the middle of a round: reports are in flight.
    first.cli.kill('SIGKILL');
    await first.cli.done;
    running = false;
    await reporting;
    const ackedBeforeKill = new Map(acked);

    const again = await room({ stateDir: first.stateDir, port: first.port });
    expect(again.code).toBe(first.code);
    expect(again.cli.stdout()).toContain(`Room reopened (${learners} learner(s) kept)`);
    const view = (await (await fetch(`${again.base}/api/room`)).json()) as {
      learners: { name: string; failing: { message: string }[] }[];
    };
    for (const [n, r] of ackedBeforeKill) {
      const kept = view.learners.find((l) => l.name === `Learner ${n}`);
      expect(roundOf(kept?.failing[0]?.message), `learner ${n}`).toBeGreaterThanOrEqual(r);
    }
    // And the room goes on where it was.
    expect(await postReport(again.base, again.code, simulated(0, 999))).toBe(200);
  }, 120_000);

  it('refuses malformed, oversized and wrong-code reports and changes nothing; keeps a script-laden name as text', async () => {
    const r = await room();
    const state = async () => (await (await fetch(`${r.base}/api/room`)).text()).replace(/"now":\d+,/, '');
    const before = await state();
    const send = async (body: string, type = 'application/json') =>
      (
        await fetch(`${r.base}/api/report`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
          signal: AbortSignal.timeout(5_000),
        })
      ).status;
    const good = { code: r.code, ...simulated(1, 0) };
    expect(await send('{"code":')).toBe(400);
    expect(await send(JSON.stringify({ ...good, code: 'ZZZZ-ZZZZ' }))).toBe(403);
    expect(await send(JSON.stringify({ ...good, outcome: 'perfect' }))).toBe(400);
    expect(await send(JSON.stringify({ ...good, user: os.userInfo().username }))).toBe(400);
    expect(await send(JSON.stringify({ ...good, name: 'x'.repeat(17_000) }))).toBe(413);
    expect(await send(JSON.stringify(good), 'text/plain')).toBe(400);
    expect(await state()).toBe(before);
    const scripted = { ...good, name: '<script>alert(1)</script>' };
    expect(await send(JSON.stringify(scripted))).toBe(200);
    const view = (await (await fetch(`${r.base}/api/room`)).json()) as { learners: { name: string }[] };
    expect(view.learners[0]?.name).toBe('<script>alert(1)</script>');
  });

  describe('a learner’s npm run check', () => {
    let down: Record<string, string>;
    let hanging: Server;
    let hangingPort: number;
    beforeAll(async () => {
      down = await everythingDownEnv();
      // A room that takes the connection and never answers: the worst a room can do to a sender.
      hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      hangingPort = (hanging.address() as { port: number }).port;
    });
    afterAll(() => hanging?.close());

    it('reports to the room it joined: the page shows the step and what failed within 2 s', async () => {
      const r = await room();
      const env = { ...down, WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-learner-')) };
      const joined = await runCli(['join', r.base, r.code.toLowerCase(), '--name', 'Grace'], env);
      expect(joined.code, joined.stderr).toBe(0);
      const feed = await openRoomFeed(r.base);
      expect(feed.latest()?.learners.map((l) => [l.name, l.step])).toEqual([['Grace', undefined]]);
      const check = await runCli(['check', 'step-3'], env);
      expect(check.code).toBe(3);
      const shown = await waitFor({
        what: "Grace's check on the page",
        timeoutMs: 2_000,
        intervalMs: 20,
        probe: async () => {
          const grace = feed.latest()?.learners.find((l) => l.name === 'Grace');
          return grace?.step === 'step-3' ? grace : new NotYet(JSON.stringify(grace));
        },
      });
      expect(shown.outcome).toBe('environment-error');
      expect(shown.failing[0]?.message).toMatch(/Kafka Connect at <address> is not reachable/);
      expect(JSON.stringify(shown)).not.toContain('127.0.0.1');
      // Each round of --watch reports too.
      const before = feed.latest()?.received ?? 0;
      const watch = startCli(['check', 'step-1', '--watch'], env);
      try {
        const watched = await waitFor({
          what: 'the watch round on the page',
          timeoutMs: 30_000,
          intervalMs: 20,
          probe: async () => {
            const view = feed.latest();
            return view && view.received > before ? view : new NotYet('not yet');
          },
        });
        expect(watched.learners.find((l) => l.name === 'Grace')?.step).toBe('step-1');
      } finally {
        watch.kill();
        await watch.done.catch(() => undefined);
        feed.close();
      }
      const left = await runCli(['join', '--leave'], env);
      expect(left.stdout).toContain('Left the room');
    });

    it('says a wrong code or an unreachable room at join, and remembers nothing', async () => {
      const r = await room();
      const env = { WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-learner-')) };
      const wrong = await runCli(['join', r.base, 'AAAA-AAAA'], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(`the room at ${r.base} refused the code AAAA-AAAA`);
      const away = await runCli(['join', `http://127.0.0.1:${await freePort()}`, r.code], env);
      expect(away.code).toBe(3);
      expect(away.stderr).toMatch(/is unreachable \(refused\)/);
      const silent = await runCli(['join', `http://127.0.0.1:${hangingPort}`, r.code], env);
      expect(silent.code).toBe(3);
      expect(silent.stderr).toMatch(/is unreachable \(no answer within 3 s\)/);
      expect((await runCli(['join'], env)).stdout).toContain('You are not in a room');
    });

    // How long the check takes in each case is the room benchmark's (npm run bench -- --only room), not a test's.
    it('says the same when the room it joined is gone or never answers', async () => {
      const plain = { ...down, WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-none-')) };
      const gone = { ...down, WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-gone-')) };
      const silent = { ...down, WORKSHOP_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'room-silent-')) };
      // Joined while the rooms answered; then one closes and the other stops answering.
      const r = await room();
      for (const env of [gone, silent]) expect((await runCli(['join', r.base, r.code], env)).code).toBe(0);
      const { writeMembership, readMembership } = await import('./reporter.js');
      const goneMembership = readMembership(gone);
      const silentMembership = readMembership(silent);
      if (!goneMembership || !silentMembership) throw new Error('join remembered nothing');
      writeMembership({ ...goneMembership, url: `http://127.0.0.1:${await freePort()}` }, gone);
      writeMembership({ ...silentMembership, url: `http://127.0.0.1:${hangingPort}` }, silent);

      const said: Record<string, string> = {};
      for (const [label, env] of Object.entries({ plain, gone, silent })) {
        const check = await runCli(['check', 'step-3'], env);
        expect(check.code, `${label}: ${check.stderr}`).toBe(3);
        expect(check.stdout).toContain('step-3');
        // Times differ from run to run; the rest of what the check says must not depend on the room.
        said[label] = `${check.stdout}${check.stderr}`.replace(/\d+(\.\d+)? ?m?s\b/g, 'T');
      }
      expect(said.gone).toBe(said.plain);
      expect(said.silent).toBe(said.plain);
    }, 180_000);
  });

  describe.skipIf(noBrowser !== undefined)(`the page in Chromium${noBrowser ? ` [skipped: ${noBrowser}]` : ''}`, () => {
    // biome-ignore lint/suspicious/noExplicitAny: playwright-core's types are loaded with it, only where it runs.
    let browser: any;
    const consoleErrors: string[] = [];
    const dialogs: string[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    async function openPage(url: string): Promise<any> {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      page.on('console', (message: { type(): string; text(): string }) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error: Error) => consoleErrors.push(error.message));
      page.on('dialog', (dialog: { message(): string; dismiss(): Promise<void> }) => {
        dialogs.push(dialog.message());
        return dialog.dismiss();
      });
      await page.goto(url, { waitUntil: 'load' });
      return page;
    }

    beforeAll(async () => {
      const { chromium: launcher } = await import('playwright-core');
      browser = await launcher.launch({
        executablePath: chromium,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
      });
      mkdirSync(artifacts, { recursive: true });
    }, 60_000);
    afterAll(async () => browser?.close());

    it('shows the counts and the common messages live after checks, names as text, and hides names for the projector', async () => {
      const r = await room();
      const page = await openPage(`${r.base}/`);
      const projector = await openPage(`${r.base}/?projector`);
      await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(artifacts, 'empty.png'), fullPage: true });

      const keyFormat = { object: 'topic "mysql.demo.CUSTOMERS"', message: 'expected keys by id, found 0 of 20 keyed' };
      const reports: SimulatedReport[] = [
        ...Array.from({ length: 9 }, (_, n) => ({
          learnerId: simulatedLearnerId(n),
          name: `Learner ${n}`,
          step: 'step-3',
          outcome: 'fail' as const,
          failing: [{ ...keyFormat, message: keyFormat.message.replace('0 of', `${n} of`) }],
        })),
        { learnerId: simulatedLearnerId(50), name: 'Ada', step: 'step-4', outcome: 'pass', failing: [] },
        {
          learnerId: simulatedLearnerId(51),
          name: '<script>alert(1)</script>',
          step: 'step-2',
          outcome: 'not-yet',
          failing: [{ object: '<b>topic</b>', message: '<script>alert(3)</script>' }],
        },
        {
          learnerId: simulatedLearnerId(52),
          name: '<img src=x onerror=alert(2)>',
          step: 'step-1',
          outcome: 'pass',
          failing: [],
        },
      ];
      // A room's worth of checks at once; the page shows them all (how soon is the room benchmark's figure).
      const statuses = await Promise.all(reports.map((report) => postReport(r.base, r.code, report)));
      expect(statuses).toEqual(reports.map(() => 200));

      const step3 = page.locator('#steps li[data-step="step-3"] .count');
      await page.locator(`body[data-received="${reports.length}"]`).waitFor({ timeout: 30_000 });
      expect(await step3.innerText()).toBe('9');
      expect(await page.locator('#steps li[data-step="step-4"] .count').innerText()).toBe('1');
      const problems: string = await page.locator('#problems').innerText();
      expect(problems).toContain('9 learners on step-3: topic "mysql.demo.CUSTOMERS": expected keys by id');
      expect(problems).toContain('1 learner on step-2: <b>topic</b>: <script>alert(3)</script>');
      const names: string[] = await page.locator('#learners tbody td.name').allInnerTexts();
      expect(names).toContain('<script>alert(1)</script>');
      expect(names).toContain('<img src=x onerror=alert(2)>');
      expect(await page.locator('#learners img, #problems b, body script:not([src])').count()).toBe(0);
      // The instructor's own page may remove a learner.
      expect(await page.locator('#learners tbody button').count()).toBe(reports.length);
      await page.screenshot({ path: path.join(artifacts, 'room.png'), fullPage: true });

      await projector.locator('#steps li[data-step="step-3"] .count', { hasText: /^9$/ }).waitFor({ timeout: 2_000 });
      const projected: string = await projector.locator('body').innerText();
      expect(projected).not.toContain('Ada');
      expect(projected).not.toContain('<script>alert(1)');
      expect(projected).toContain('Learner 10');
      expect(projected).toContain(`npm run join -- http://127.0.0.1:${r.port} ${r.code}`);
      expect(await projector.locator('#learners tbody button').count()).toBe(0);
      await projector.screenshot({ path: path.join(artifacts, 'projector.png'), fullPage: true });

      // The page follows a learner who moves on, without a reload.
      await postReport(r.base, r.code, {
        ...(reports[0] as SimulatedReport),
        step: 'step-4',
        outcome: 'pass',
        failing: [],
      });
      await page.locator('#steps li[data-step="step-4"] .count', { hasText: /^2$/ }).waitFor({ timeout: 2_000 });
      expect(await step3.innerText()).toBe('8');
    });

    it('logged no console error and ran no script from a name or a message', () => {
      expect(consoleErrors).toEqual([]);
      expect(dialogs).toEqual([]);
    });
  });
});
