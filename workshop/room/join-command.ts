/**
 * `npm run join -- <url> <code> [--name "Ada"]`: from now on, every check of this learner also reports to the
 * instructor's room. The room is asked once, with a timeout, whether the code is right, so a mistyped address or code
 * is said now and not silently at every check. `npm run join -- --leave` stops it; `npm run join` alone says where
 * checks go.
 */
import type { CommandLine } from '#core/args.js';
import { EnvironmentError, ExitCode, UsageError } from '#core/errors.js';
import { success } from '#core/output.js';
import { forgetMembership, type Membership, readMembership, writeMembership } from './reporter.js';
import { limits, newLearnerId, normaliseCode, showCode } from './room-state.js';

const helloTimeoutMs = 3_000;

/** The room's address as typed: a scheme is added when missing, a path or query is refused. */
export function parseRoomUrl(typed: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `http://${typed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(
      `"${typed}" is not the room's address; copy it from the projector, like http://192.168.1.23:8090`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `"${typed}" is not an http:// address; copy it from the projector, like http://192.168.1.23:8090`,
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
    throw new UsageError(
      `"${typed}" has more than the room's address; give only http://<address>:<port>, as the projector shows`,
    );
  }
  return url.origin;
}

export function parseCode(typed: string): string {
  const code = normaliseCode(typed);
  if (!/^[0-9A-Z]{8}$/.test(code) || /[ILOU]/.test(code)) {
    throw new UsageError(
      `"${typed}" is not a room code: a code is 8 letters and digits, like K7QF-M2XD; copy it from the projector`,
    );
  }
  return code;
}

function parseName(typed: string | undefined, learnerId: string): string {
  if (typed === undefined) return `learner ${learnerId.slice(0, 4)}`;
  const name = typed.trim();
  if (name === '' || name.length > limits.nameChars || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new UsageError(`--name must be 1 to ${limits.nameChars} visible characters, like --name "Ada"`);
  }
  return name;
}

/** Asks the room whether the code is right, and introduces the learner. */
async function hello(membership: Membership): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${membership.url}/api/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: membership.code, learnerId: membership.learnerId, name: membership.name }),
      signal: AbortSignal.timeout(helloTimeoutMs),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${helloTimeoutMs / 1000} s` : 'refused';
    throw new EnvironmentError(
      `the room at ${membership.url} is unreachable (${reason})`,
      'check the address on the projector and that this laptop is on the room’s Wi-Fi, then run npm run join again',
    );
  }
  const answer = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.status === 403 && /code/.test(answer.error ?? '')) {
    throw new UsageError(
      `the room at ${membership.url} refused the code ${showCode(membership.code)}`,
      'copy the code shown on the projector and run npm run join again',
    );
  }
  if (!response.ok) {
    throw new EnvironmentError(
      `the room at ${membership.url} answered ${response.status}: ${answer.error ?? 'no reason given'}`,
      response.status === 404 || response.status === 405
        ? 'that address is not a room: check the address on the projector'
        : 'ask the instructor',
    );
  }
}

/**
 * The flags npm kept for itself. In PowerShell, npm's npm.ps1 drops a bare `--` (npm/cli#4903), so
 * `npm run join -- <url> <code> --name "Ada"` reaches npm as `--name Ada`, which npm takes as its own setting and
 * passes to the script only as npm_config_name. The projector's join line then works as typed everywhere.
 */
export function npmTookFlags(env: NodeJS.ProcessEnv = process.env): { name?: string; leave?: boolean } {
  if (env.npm_lifecycle_event !== 'join') return {};
  return {
    ...(env.npm_config_name ? { name: env.npm_config_name } : {}),
    ...(env.npm_config_leave === 'true' ? { leave: true } : {}),
  };
}

export async function joinCommand(line: CommandLine<{ name?: string; leave: boolean }>): Promise<number> {
  const { positionals, usage, usageError } = line;
  const npm = npmTookFlags();
  const values = { name: line.values.name ?? npm.name, leave: line.values.leave || npm.leave };

  if (values.leave) {
    if (positionals.length > 0 || values.name !== undefined) throw usageError('--leave takes nothing else');
    const left = forgetMembership();
    process.stdout.write(
      left ? 'Left the room: your checks no longer report to it.\n' : 'You were not in a room: nothing to leave.\n',
    );
    return ExitCode.ok;
  }

  if (positionals.length === 0) {
    if (values.name !== undefined) throw usageError("--name goes with the room's address and code");
    const current = readMembership();
    process.stdout.write(
      current
        ? `Your checks report to the room at ${current.url} as "${current.name}" (npm run join -- --leave stops it).\n`
        : `You are not in a room: your checks report nowhere. To join: ${usage}\n`,
    );
    return ExitCode.ok;
  }
  if (positionals.length !== 2) {
    throw usageError(`join needs the room's address and its code, got ${positionals.join(' ')}`);
  }
  const url = parseRoomUrl(positionals[0] as string);
  const code = parseCode(positionals[1] as string);
  const previous = readMembership();
  // The same room again keeps the same id, so the learner is not listed twice.
  const learnerId = previous && previous.url === url && previous.code === code ? previous.learnerId : newLearnerId();
  const name = parseName(values.name ?? (previous?.learnerId === learnerId ? previous.name : undefined), learnerId);
  const membership: Membership = { url, code, learnerId, name };
  await hello(membership);
  writeMembership(membership);
  success(`Joined the room at ${url} as "${name}".`);
  process.stdout.write(
    `From now on each npm run check reports to it: your name, the step, its outcome and what did not pass.${
      values.name === undefined && previous?.learnerId !== learnerId ? ' Choose your name with --name "Ada".' : ''
    } npm run join -- --leave stops it.\n`,
  );
  return ExitCode.ok;
}
