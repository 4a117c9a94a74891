/**
 * `npm run room [-- --port 8090] [--host 0.0.0.0] [--reset]`: the instructor's room. Serves the live page and takes
 * the learners' reports on the local network; prints the join line for the projector. The room (its code, who is
 * where) is kept in the state folder, so closing and reopening it loses nothing; --reset starts a new one.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chalk } from 'zx';
import { loadCourse } from '#checks/course.js';
import type { CommandLine } from '#core/args.js';
import { EnvironmentError, ExitCode } from '#core/errors.js';
import { warn } from '#core/output.js';
import { stateDir } from '#core/state-dir.js';
import { startRoomServer } from './room-server.js';
import { newRoom, readRoom, showCode } from './room-state.js';

export const roomFile = (env: NodeJS.ProcessEnv = process.env) => path.join(stateDir(env), 'room', 'room.json');

/** The addresses other machines can reach this one at: IPv4, not loopback (what a learner can type). */
export function lanAddresses(
  interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces(),
): { name: string; address: string }[] {
  return Object.entries(interfaces).flatMap(([name, list]) =>
    (list ?? []).filter((i) => i.family === 'IPv4' && !i.internal).map((i) => ({ name, address: i.address })),
  );
}

export async function roomCommand({
  values: { port, host, reset },
  usageError,
}: CommandLine<{ port: number; host: string; reset: boolean }>): Promise<number> {
  if (!/^[0-9A-Za-z.:-]+$/.test(host)) {
    throw usageError(`--host ${host} is not an address to listen on; use 0.0.0.0 (every network) or one address`);
  }
  const file = roomFile();
  if (reset) rmSync(file, { force: true });
  const kept = readRoom(file);
  const data = kept ?? newRoom(Date.now());
  const steps = loadCourse().map((s) => ({ id: s.id, title: s.title }));
  const everywhere = host === '0.0.0.0' || host === '::';
  const lan = everywhere ? lanAddresses() : [];
  const shownHost = everywhere ? (lan[0]?.address ?? '127.0.0.1') : host.includes(':') ? `[${host}]` : host;

  let room: Awaited<ReturnType<typeof startRoomServer>>;
  try {
    room = await startRoomServer({
      data,
      steps,
      file,
      host,
      port,
      joinUrl: (p) => `http://${shownHost}:${p}`,
      onNewLearner: (name) => process.stderr.write(`${chalk.dim('+')} ${name} joined\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new EnvironmentError(
        `port ${port} is taken on ${host}: is a room already open?`,
        `close it, or open this one on another port: npm run room -- --port ${port + 1}`,
      );
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new EnvironmentError(
        `${host} is not an address of this machine`,
        'leave out --host to listen on every network',
      );
    }
    throw error;
  }

  const joinUrl = `http://${shownHost}:${room.port}`;
  const out = process.stdout;
  out.write(
    `${kept ? `Room reopened (${kept.learners.length} learner(s) kept).` : 'Room open.'} Put this on the projector:\n\n`,
  );
  out.write(`  ${chalk.bold(`npm run join -- ${joinUrl} ${showCode(room.room.code)} --name "Your name"`)}\n\n`);
  out.write(
    `The room's page: http://127.0.0.1:${room.port}/  (names hidden: http://127.0.0.1:${room.port}/?projector)\n`,
  );
  for (const other of lan.slice(1))
    out.write(`This laptop is also at http://${other.address}:${room.port} (${other.name})\n`);
  if (everywhere && lan.length === 0) {
    warn('this laptop has no network address besides 127.0.0.1: join the room’s Wi-Fi so learners can reach it');
  }
  if (!everywhere && (host === '127.0.0.1' || host === '::1' || host === 'localhost')) {
    warn(`listening on ${host} only: learners on other machines cannot reach this room`);
  }
  out.write(
    `Ctrl-C closes the room; it is kept in ${path.dirname(file)} (npm run room -- --reset starts a new one).\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await room.close();
  process.stderr.write('Room closed; npm run room opens it again as it was.\n');
  return ExitCode.ok;
}
