/**
 * `npm run rehearse -- --guides`: the guides are the test. On the running platform, a clean start, then for each step
 * in course order every code block of its guide, in the order written, as a learner types it — shell blocks through
 * the shell, ksqlDB blocks through `npm run ksql` as pasted into the ksqlDB CLI (a SET applies to what follows it) —
 * and the step's check, which must pass without `solve`. A block the learner must adapt or only reads carries a note
 * on its fence that the site does not show (`walk=…`); the walkthrough obeys it and never guesses:
 *
 *   walk=skip            not run (an interactive CLI, an alternative to the block before, the learner's own secret)
 *   walk=background      started and left running, as "leave it running in a terminal of its own"; stopped at the end
 *   walk=save:<file>     the block is saved as <file> in the kit's folder, as "save this as …"; removed at the end
 *
 * Without a note: `sh` blocks run; `sql` blocks run through `npm run ksql`, unless the block right after runs the same
 * file with `-f`; PowerShell blocks are the Windows variant of the block before; anything else is shown, not run. A
 * push query with no LIMIT is ended after its first row, as the guide's Ctrl-C. Where this platform's addresses
 * differ from the learners' (127.0.0.1:8083 and the rest), each block runs with this platform's, said once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceAbsent, Services } from '#checks/clients/services.js';
import type { Step } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { serviceOf } from '#checks/resources/index.js';
import { loadConfig, type WorkshopConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { formatTable, progress } from '#core/output.js';
import { signalGroup, stopOnInterrupt } from '#core/process.js';
import { repoRoot, stateDir } from '#core/state-dir.js';
import { formatSeconds, NotYet, systemClock, waitFor } from '#core/wait.js';
import { resetFrom } from './reset.js';

export interface GuideBlock {
  /** The guide's path, as the course names it, and the fence's line (1-based). */
  page: string;
  line: number;
  language: string;
  meta: string;
  body: string;
}

export type BlockAction =
  | { kind: 'shell'; text: string }
  | { kind: 'background'; text: string }
  | { kind: 'ksql'; text: string; endAfterFirstRow: boolean }
  | { kind: 'save'; file: string; text: string }
  | { kind: 'skip'; why: string };

/** The fenced code blocks of a guide, in order. */
export function guideBlocks(page: string, text: string): GuideBlock[] {
  const blocks: GuideBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    blocks.push({ page, line: start + 1, language: open[1] ?? '', meta: open[2] ?? '', body: `${body.join('\n')}\n` });
  }
  return blocks;
}

/** SQL without its `--` comment lines. */
function stripComments(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
}

/** The file a fence names with from=, if any. */
function fromFile(block: GuideBlock): string | undefined {
  return /(?:^|\s)from=(\S+)/.exec(block.meta)?.[1];
}

/** What the walkthrough does with each block of a guide. `readFile` reads a kit file a fence names (from=steps/…). */
export function planBlocks(blocks: GuideBlock[], readFile: (file: string) => string): BlockAction[] {
  return blocks.map((block, i) => {
    const walk = /(?:^|\s)walk=(\S+)/.exec(block.meta)?.[1];
    const from = fromFile(block);
    // What the page shows: a step's own file is shown whole (site/plugins/remark-include-from.ts).
    const text = from?.startsWith('steps/') ? `${readFile(from).trimEnd()}\n` : block.body;
    if (walk === 'skip') return { kind: 'skip', why: 'marked walk=skip' };
    if (walk === 'background') return { kind: 'background', text };
    if (walk?.startsWith('save:')) return { kind: 'save', file: walk.slice('save:'.length), text };
    if (walk !== undefined) throw new Error(`${block.page}, line ${block.line}: unknown walk=${walk}`);
    if (['sh', 'bash', 'shell'].includes(block.language)) return { kind: 'shell', text };
    if (block.language === 'powershell') return { kind: 'skip', why: 'the PowerShell variant of the block before' };
    if (block.language === 'sql') {
      // Shown for reading where a shell block beside it (before it, past its PowerShell variant, or right after it)
      // runs the same file with -f.
      const previous = blocks[i - 1]?.language === 'powershell' ? blocks[i - 2] : blocks[i - 1];
      const runsIt = (b?: GuideBlock) => b?.language === 'sh' && from !== undefined && b.body.includes(`-f ${from}`);
      if (runsIt(blocks[i + 1]) || runsIt(previous))
        return { kind: 'skip', why: 'run by the shell block beside it (-f)' };
      // A push query (a bare SELECT … EMIT CHANGES) with no LIMIT runs until Ctrl-C; a CREATE … AS SELECT returns.
      const endAfterFirstRow = text
        .split(';')
        .some((st) => /^\s*SELECT\b[\s\S]*\bEMIT\s+CHANGES\b/i.test(stripComments(st)) && !/\bLIMIT\s+\d+/i.test(st));
      return { kind: 'ksql', text, endAfterFirstRow };
    }
    return { kind: 'skip', why: 'shown, not run' };
  });
}

/** Host and port of an address: "http://127.0.0.1:8083" → "127.0.0.1:8083". */
function hostPort(address: string): string {
  return address.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** The learners' addresses the guides print, and this platform's, where they differ. */
export function addressChanges(config: WorkshopConfig): { from: string; to: string }[] {
  const learners = loadConfig({});
  const pairs: [string, string][] = [
    [learners.kafkaBootstrapServers[0] ?? '', config.kafkaBootstrapServers[0] ?? ''],
    [learners.connectUrl, config.connectUrl],
    [learners.ksqldbUrl, config.ksqldbUrl],
    [learners.schemaRegistryUrl, config.schemaRegistryUrl],
    [learners.elasticsearchUrl, config.elasticsearchUrl],
    [learners.kibanaUrl, config.kibanaUrl],
  ];
  return pairs
    .filter(([, to]) => to !== 'none' && to !== '')
    .map(([from, to]) => ({ from: hostPort(from), to: hostPort(to) }))
    .filter(({ from, to }) => from !== to);
}

/** A block's text with the learners' addresses (127.0.0.1 or localhost, and the port) made this platform's. */
export function withAddresses(text: string, changes: { from: string; to: string }[]): string {
  return changes.reduce((result, { from, to }) => {
    const port = from.split(':')[1] ?? '';
    return result.replace(new RegExp(`\\b(?:127\\.0\\.0\\.1|localhost):${port}\\b`, 'g'), to);
  }, text);
}

interface Ran {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/**
 * Runs a command in a process group of its own, its output kept; ends it (Ctrl-C, then a kill) at the deadline, or
 * once `endWhen` says what it printed is enough.
 */
function run(command: string, args: string[], timeoutMs: number, endWhen?: (output: string) => boolean): Promise<Ran> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) foreground.add(child.pid);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}could not run ${command}: ${error.message}\n`, timedOut: false });
    });
    let output = '';
    let timedOut = false;
    let ending = false;
    const end = () => {
      if (ending || !child.pid) return;
      ending = true;
      signalGroup(child.pid, 'SIGINT');
      setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), 10_000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      end();
    }, timeoutMs);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (endWhen?.(output)) end();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (child.pid) foreground.delete(child.pid);
      resolve({ code, output, timedOut });
    });
  });
}

/** The process group of the block running now, for Ctrl-C to reach it (it runs detached, in a group of its own). */
const foreground = new Set<number>();

/** A child's exit code as the kit's own (1 a mistake, 2 usage, 3 the platform, 4 not yet); anything else is 1. */
function kitCode(code: number | null): number {
  const kits: number[] = [ExitCode.failure, ExitCode.usage, ExitCode.environment, ExitCode.notYet];
  return code !== null && kits.includes(code) ? code : ExitCode.failure;
}

/** A push query's answer has its first row: a header, its rule (`----+----`), and a line after it. */
export function hasFirstRow(output: string): boolean {
  return /^-+(?:[+ ]+-+)*[ \t]*\n[^\n]*\S[^\n]*\n/m.test(output);
}

const blockTimeoutMs = 5 * 60_000;

export interface WalkRow {
  step: Step;
  blocks: number;
  skipped: number;
  ms: number;
  outcome: string;
}

export interface WalkOptions {
  steps: Step[];
  /** The guide's text (tests give a broken copy). */
  readGuide?: (step: Step) => string;
  keep: boolean;
}

/** What was running in the background, to stop at the end. */
interface Background {
  child: ChildProcess;
  what: string;
  block: GuideBlock;
  log: string;
}

/** The last lines of a log, or nothing when there is none. */
function tail(file: string, lines = 20): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

export async function walkGuides({ steps, readGuide, keep }: WalkOptions): Promise<number> {
  const config = loadConfig();
  const read = readGuide ?? ((step: Step) => readFileSync(path.join(repoRoot, step.guidePath), 'utf8'));
  const changes = addressChanges(config);
  const started = systemClock.now();
  if (changes.length > 0) {
    progress(
      `walkthrough: the guides show the learners' addresses; on this platform each block runs with its own: ${changes.map((c) => `${c.from} → ${c.to}`).join(', ')}`,
    );
  }
  progress('walkthrough: a clean start first (npm run reset)');
  const reset = await resetFrom(undefined);
  if (reset !== ExitCode.ok) return reset;

  const background: Background[] = [];
  const saved: string[] = [];
  /** SET statements pasted so far: the ksqlDB CLI keeps them for the rest of the session. */
  const sessionSets: string[] = [];
  const rows: WalkRow[] = [];
  let leftOut: Step | undefined;
  let failed: number | undefined;
  // Ctrl-C: the block running now and what the guides left running get it too (each runs in a group of its own,
  // which the terminal's Ctrl-C does not reach); the walk ends, cleaning up as it does at its end. A second one kills.
  let interrupted = false;
  const groups = () => [...foreground, ...background.flatMap((b) => (b.child.pid ? [b.child.pid] : []))];
  const stopListening = stopOnInterrupt(
    () => {
      interrupted = true;
      process.stderr.write('\nstopping the walkthrough (Ctrl-C again to kill what it started)\n');
      for (const pid of groups()) signalGroup(pid, 'SIGINT');
    },
    () => {
      for (const pid of groups()) signalGroup(pid, 'SIGKILL');
      for (const file of saved) rmSync(file, { force: true });
    },
  );
  try {
    for (const step of steps) {
      progress(`walkthrough: ${step.id}  ${step.title}`);
      if (leftOut) {
        rows.push({ step, blocks: 0, skipped: 0, ms: 0, outcome: `left out (builds on ${leftOut.id})` });
        continue;
      }
      const notHere = step.solution.map(serviceOf).find((s) => s !== undefined && config.absent.includes(s));
      if (notHere) {
        progress(`walkthrough: ${step.id} is left out: ${new ServiceAbsent(notHere).message}`);
        rows.push({
          step,
          blocks: 0,
          skipped: 0,
          ms: 0,
          outcome: `left out (${notHere} is not part of this platform)`,
        });
        if (!step.optional) leftOut = step;
        continue;
      }
      const stepStarted = systemClock.now();
      const blocks = guideBlocks(step.guidePath, read(step));
      const actions = planBlocks(blocks, (file) => readFileSync(path.join(repoRoot, file), 'utf8'));
      let ranCheck = false;
      let count = 0;
      const fail = (block: GuideBlock, what: string, output: string) => {
        process.stdout.write(
          `\n✗ ${step.id}: the block at ${block.page}, line ${block.line} ${what}\n--- the block ---\n${block.body}--- its output (last 40 lines) ---\n${output.trimEnd().split('\n').slice(-40).join('\n')}\n---\n`,
        );
      };
      /** A block's run: nothing when it did what the guide says, else its failure printed and the exit code to give. */
      const judge = (block: GuideBlock, ran: Ran, okAnyway: boolean): number | undefined => {
        if (!ran.timedOut && (ran.code === 0 || okAnyway)) return undefined;
        fail(
          block,
          ran.timedOut ? `was still running after ${blockTimeoutMs / 1000} s` : `exited with code ${ran.code}`,
          ran.output,
        );
        return ran.timedOut ? ExitCode.failure : kitCode(ran.code);
      };
      for (const [i, action] of actions.entries()) {
        const block = blocks[i] as GuideBlock;
        if (action.kind === 'skip') continue;
        if (interrupted) break;
        // What a guide left running must still run: a producer that died takes the next steps with it.
        const dead = background.find((b) => b.child.exitCode !== null || b.child.signalCode !== null);
        if (dead) {
          fail(
            dead.block,
            `started in the background has stopped (exit code ${dead.child.exitCode ?? dead.child.signalCode})`,
            tail(dead.log),
          );
          failed = ExitCode.failure;
          break;
        }
        count++;
        if (action.kind === 'save') {
          const file = path.join(repoRoot, action.file);
          if (existsSync(file) && !saved.includes(file)) {
            // A file of the developer's own, by that name: used when it is the guide's, never overwritten or removed.
            if (readFileSync(file, 'utf8') !== action.text) {
              fail(block, `would overwrite ${action.file}, a file of yours: move it away and walk again`, '');
              failed = ExitCode.failure;
              break;
            }
            progress(`  ${action.file} is already there, as the guide has it (${block.page}, line ${block.line})`);
            continue;
          }
          writeFileSync(file, action.text);
          if (!saved.includes(file)) saved.push(file);
          progress(`  saved ${action.file} (${block.page}, line ${block.line})`);
          continue;
        }
        if (action.kind === 'background') {
          const text = withAddresses(action.text, changes);
          const log = path.join(stateDir(), `walkthrough-${step.id}-line-${block.line}.log`);
          mkdirSync(path.dirname(log), { recursive: true });
          const out = openSync(log, 'w');
          const child = spawn('bash', ['-c', text], {
            cwd: repoRoot,
            env: { ...process.env, FORCE_COLOR: '0' },
            detached: true,
            stdio: ['ignore', out, out],
          });
          closeSync(out);
          child.on('error', () => undefined);
          background.push({ child, what: text.trim(), block, log });
          progress(`  started in the background: ${text.trim()} (its output: ${path.relative(repoRoot, log)})`);
          continue;
        }
        if (action.kind === 'ksql') {
          const sets = action.text.match(/^\s*SET\s+'[^']+'\s*=\s*'[^']*'\s*;/gim) ?? [];
          const pasted = [...sessionSets, action.text].join('\n');
          progress(
            `  ksqlDB: ${action.text
              .split('\n')
              .find((l) => l.trim() && !l.startsWith('--') && !/^\s*SET\s/i.test(l))
              ?.slice(0, 100)}`,
          );
          const ran = await run(
            'npm',
            ['run', '--silent', 'ksql', '--', pasted],
            blockTimeoutMs,
            action.endAfterFirstRow ? hasFirstRow : undefined,
          );
          sessionSets.push(...sets.map((s) => s.trim()));
          // A push query without LIMIT ended by the walkthrough's Ctrl-C after its first row is a success.
          if (interrupted) break;
          failed = judge(block, ran, action.endAfterFirstRow && hasFirstRow(ran.output));
          if (failed !== undefined) break;
          continue;
        }
        const text = withAddresses(action.text, changes);
        const isCheck = text.includes(`npm run check ${step.id}`);
        progress(`  $ ${text.trim().split('\n').join(' ; ')}`);
        let ran = await run('bash', ['-e', '-o', 'pipefail', '-c', text], blockTimeoutMs);
        // "Not yet": a learner runs the check again a moment later.
        for (let again = 0; isCheck && ran.code === ExitCode.notYet && again < 2; again++) {
          ran = await run('bash', ['-e', '-o', 'pipefail', '-c', text], blockTimeoutMs);
        }
        // A check that misses only a service this platform does not run passes here (step 1 without ksqlDB).
        const passesHere = isCheck && ran.code !== 0 && !ran.timedOut && (await passesButForAbsent(step, config));
        if (isCheck) ranCheck = true;
        if (interrupted) break;
        failed = judge(block, ran, passesHere);
        if (failed !== undefined) break;
      }
      if (failed === undefined && !ranCheck) {
        const ran = await run('npm', ['run', '--silent', 'check', step.id], blockTimeoutMs);
        if (ran.code !== 0 && !(await passesButForAbsent(step, config))) {
          process.stdout.write(`\n✗ ${step.id}: its check after the guide's blocks\n${ran.output}`);
          failed = ran.timedOut ? ExitCode.failure : kitCode(ran.code);
        }
      }
      rows.push({
        step,
        blocks: count,
        skipped: actions.length - count,
        ms: systemClock.now() - stepStarted,
        outcome: interrupted ? 'interrupted (Ctrl-C)' : failed === undefined ? 'pass' : 'FAILED',
      });
      if (failed !== undefined || interrupted) break;
    }
  } finally {
    await stopBackground(background);
    for (const file of saved) rmSync(file, { force: true });
    stopListening();
  }
  if (interrupted) {
    process.stdout.write(`\n${formatWalk(rows, systemClock.now() - started, 'interrupted')}\n`);
    return 130;
  }
  process.stdout.write(
    `\n${formatWalk(rows, systemClock.now() - started, failed === undefined ? 'passed' : 'stopped')}\n`,
  );
  if (failed !== undefined) return failed;
  if (!keep) {
    progress('walkthrough: back to a clean start (npm run reset); --keep leaves the pipeline running');
    const after = await resetFrom(undefined);
    if (after !== ExitCode.ok) return after;
  }
  return ExitCode.ok;
}

/** A check that misses only services this platform does not run (step 1 without ksqlDB) counts as passed. */
async function passesButForAbsent(step: Step, config: WorkshopConfig): Promise<boolean> {
  if (config.absent.length === 0) return false;
  const result = await runStep(step, {
    config,
    services: new Services(config),
    passive: false,
    clock: systemClock,
  });
  const missing = result.expectations.filter((e) => e.outcome !== 'pass');
  return missing.length > 0 && missing.every((e) => e.absent !== undefined);
}

/** Ctrl-C for what the guides left running, as the learner does at the end; a kill if it does not stop. */
async function stopBackground(background: Background[]): Promise<void> {
  for (const { child, what } of background) {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) continue;
    signalGroup(child.pid, 'SIGINT');
    const stopped = await waitFor({
      what: `"${what}" to stop after Ctrl-C`,
      timeoutMs: 20_000,
      intervalMs: 100,
      probe: async () => (child.exitCode !== null || child.signalCode !== null ? true : new NotYet('still running')),
    }).then(
      () => true,
      () => false,
    );
    if (!stopped) signalGroup(child.pid, 'SIGKILL');
    progress(`  stopped: ${what}`);
  }
}

export function formatWalk(rows: WalkRow[], totalMs: number, end: 'passed' | 'stopped' | 'interrupted'): string {
  const table = formatTable(
    rows.map((r) => [r.step.id, r.step.title, String(r.blocks), String(r.skipped), formatSeconds(r.ms), r.outcome]),
    { header: ['step', 'title', 'blocks run', 'not run', 'time', 'check'] },
  );
  const walked = rows.filter((r) => r.outcome === 'pass').length;
  const leftOut = rows.filter((r) => r.outcome.startsWith('left out')).length;
  const summary = {
    passed: `Walkthrough passed: ${walked} step(s) in ${formatSeconds(totalMs)}${leftOut > 0 ? `; ${leftOut} left out, each saying why` : ''}.`,
    stopped: 'Walkthrough stopped: see the block above.',
    interrupted: 'Walkthrough interrupted (Ctrl-C): what it started is stopped, and the files it saved are removed.',
  }[end];
  return `${table}\n${summary}`;
}
