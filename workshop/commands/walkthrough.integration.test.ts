/**
 * `npm run rehearse -- --guides` on the local stack: every guide's blocks as a learner types them, then each step's
 * check, from a clean start and without solve. With the real ksqlDB and Schema Registry installed that is steps 1-11;
 * without them, steps 1-3, and the rest left out with the reason. And a guide with a mistake in it stops the walk,
 * naming the step, the block and what it printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { headlessFile } from '#checks/clients/headless.js';
import { loadCourse } from '#checks/course.js';
import { repoRoot } from '#core/state-dir.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { stopKitProcesses } from '#workshop/dev/testing/kit-processes.js';
import { setAside } from '#workshop/dev/testing/learner-file.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { walkGuides } from './walkthrough.js';

describeWithStack('npm run rehearse -- --guides on the local stack', (stack) => {
  const state = mkdtempSync(path.join(os.tmpdir(), 'walk-state-'));
  const env = () => ({ ...workshopEnv(stack()), WORKSHOP_STATE_DIR: state });
  // Step 15's guide has the learner save headless/queries.sql in the kit's folder.
  const restoreHeadless = setAside(headlessFile());
  afterAll(async () => {
    await runCli(['reset'], env(), 3 * 60_000).catch(() => undefined);
    stopKitProcesses(state);
    restoreHeadless();
    rmSync(state, { recursive: true, force: true });
  }, 4 * 60_000);

  it(
    'passes every step it can from the guides alone, and leaves a clean start',
    async () => {
      const run = await runCli(['rehearse', '--guides'], env(), 15 * 60_000);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const course = loadCourse();
      const rows = run.stdout.split('\n').filter((line) => /^step-\d+ /.test(line));
      expect(rows.map((row) => row.split(/\s{2,}/)[0])).toEqual(course.map((s) => s.id));
      const ksqldb = 'url' in stack().ksqldb;
      for (const [i, row] of rows.entries()) {
        const step = course[i];
        // Steps 1-3 need no ksqlDB; the others run only where it is installed, and are left out, saying why, where not.
        if (ksqldb || (step && step.number <= 3)) expect(row, row).toMatch(/\s\d+\s+\d+\s+\S.*\s+pass$/);
        else expect(row, row).toMatch(/left out \(/);
      }
      const walked = rows.filter((row) => /\spass$/.test(row)).length;
      expect(walked).toBe(ksqldb ? course.length : 3);
      expect(run.stdout).toMatch(new RegExp(`Walkthrough passed: ${walked} step\\(s\\) in `));
      // Nothing of the walk is left behind: the files it saved as the guides say, and its background producer and app.
      expect(existsSync(path.join(repoRoot, 'customers-cdc.json'))).toBe(false);
      expect(existsSync(path.join(repoRoot, 'elasticsearch-sink.json'))).toBe(false);
      expect(existsSync(headlessFile())).toBe(false);
      process.stdout.write(`\n${rows.join('\n')}\n${run.stdout.match(/Walkthrough passed: .*/)?.[0]}\n`);
      const check = await runCli(['check', 'step-2'], env());
      expect(check.code).not.toBe(0);
    },
    16 * 60_000,
  );

  describe('a guide with a mistake in it', () => {
    const saved: Record<string, string | undefined> = {};
    beforeAll(() => {
      // walkGuides runs in this process, its blocks in child processes: both read the platform from the environment.
      for (const [key, value] of Object.entries(env())) {
        saved[key] = process.env[key];
        process.env[key] = value;
      }
    });
    afterAll(() => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    it(
      'stops the walk at the wrong command, naming the step, the block and its output',
      async () => {
        const course = loadCourse();
        const steps = course.filter((s) => s.number <= 3);
        const step3 = course.find((s) => s.id === 'step-3');
        const guide = readFileSync(path.join(repoRoot, step3?.guidePath ?? ''), 'utf8');
        expect(guide).toContain('npm run connector -- apply customers-cdc.json\n');
        // The file name misspelt in the command, as an author's typo would be.
        const broken = guide.replace(
          'npm run connector -- apply customers-cdc.json\n',
          'npm run connector -- apply customers-cdc.jsn\n',
        );
        const line = broken.split('\n').indexOf('npm run connector -- apply customers-cdc.jsn');
        const out: string[] = [];
        const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
          out.push(String(chunk));
          return true;
        });
        let code: number;
        try {
          code = await walkGuides({
            steps,
            keep: false,
            readGuide: (step) =>
              step.id === 'step-3' ? broken : readFileSync(path.join(repoRoot, step.guidePath), 'utf8'),
          });
        } finally {
          write.mockRestore();
        }
        const text = out.join('');
        expect(code, text).toBe(2);
        // The fence is the line before the command.
        expect(text).toContain(
          `✗ step-3: the block at steps/03-stream-customers-cdc/guide.md, line ${line} exited with code 2\n--- the block ---\nnpm run connector -- apply customers-cdc.jsn\n`,
        );
        expect(text).toMatch(
          /--- its output \(last 40 lines\) ---\n[\s\S]*no file \S*customers-cdc\.jsn: give the path of a connector JSON file/,
        );
        expect(text).toMatch(/\nstep-3 +Stream customers from MySQL with Debezium +\d+ +\d+ +\S+ \S+ +FAILED\n/);
        expect(text).toContain('Walkthrough stopped: see the block above.');
        // What it saved as the guide says is removed, and the producer it started is stopped.
        expect(existsSync(path.join(repoRoot, 'customers-cdc.json'))).toBe(false);
      },
      6 * 60_000,
    );
  });
});
