/**
 * Drives an instructor's room for tests and the benchmark: the room as a real `npm run room` process, a page's live
 * feed read as a browser reads it (Server-Sent Events), and simulated learners posting reports as a check does.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotYet, waitFor } from '#core/wait.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import type { Snapshot } from '#workshop/room/room-state.js';
import { type RunningCli, startCli } from './run-cli.js';

export type RoomView = Snapshot & { join: string };

export interface RoomProcess {
  base: string;
  port: number;
  code: string;
  stateDir: string;
  cli: RunningCli;
}

/** Starts `npm run room` on 127.0.0.1 and a free port (or the given one), and waits for its join line. */
export async function startRoomProcess(
  options: { stateDir?: string; port?: number; args?: string[] } = {},
): Promise<RoomProcess> {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(os.tmpdir(), 'room-state-'));
  const port = options.port ?? (await freePort());
  const cli = startCli(
    ['room', '--host', '127.0.0.1', '--port', String(port), ...(options.args ?? [])],
    { WORKSHOP_STATE_DIR: stateDir },
    30 * 60_000,
  );
  const code = await waitFor({
    what: 'the room to print its join line',
    timeoutMs: 60_000,
    intervalMs: 100,
    giveUpIf: () => (cli.exited() ? `npm run room exited:\n${cli.stdout()}` : undefined),
    probe: async () => {
      const match = / ([0-9A-Z]{4}-[0-9A-Z]{4}) --name/.exec(cli.stdout());
      return match?.[1] ?? new NotYet('no join line yet');
    },
  });
  return { base: `http://127.0.0.1:${port}`, port, code, stateDir, cli };
}

/** A page's live feed: the newest room it was sent, each with when it arrived. */
export interface RoomFeed {
  latest(): RoomView | undefined;
  /** Calls `listener` with each room as it arrives. */
  onRoom(listener: (room: RoomView, at: number) => void): void;
  close(): void;
}

export async function openRoomFeed(base: string, query = ''): Promise<RoomFeed> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/events${query}`, {
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(30 * 60_000)]),
  });
  if (!response.ok || !response.body) throw new Error(`the room's feed answered ${response.status}`);
  let latest: RoomView | undefined;
  const listeners: ((room: RoomView, at: number) => void)[] = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (!data) continue;
        const at = Date.now();
        latest = JSON.parse(data) as RoomView;
        for (const listener of listeners) listener(latest, at);
      }
    }
  })().catch(() => undefined);
  await waitFor({
    what: "the room's first push",
    timeoutMs: 10_000,
    intervalMs: 20,
    probe: async () => latest ?? new NotYet('nothing yet'),
  });
  return {
    latest: () => latest,
    onRoom: (listener) => listeners.push(listener),
    close: () => controller.abort(),
  };
}

export interface SimulatedReport {
  learnerId: string;
  name: string;
  step: string;
  outcome: 'pass' | 'fail' | 'not-yet' | 'environment-error';
  failing: { object: string; message: string }[];
}

/** Posts a report as send-report.mjs does; resolves with the status (0: no answer). */
export async function postReport(base: string, code: string, report: SimulatedReport, timeoutMs = 5_000) {
  try {
    const response = await fetch(`${base}/api/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, ...report }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export const simulatedLearnerId = (n: number) => `simulated-learner-${String(n).padStart(4, '0')}`;
