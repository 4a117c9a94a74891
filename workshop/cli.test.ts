import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';
import { commands } from './commands.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

function cli(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'workshop/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI in this process, as `npm run <argv>` would: its exit code and what it printed. */
async function runCli(...argv: string[]) {
  const printed = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((stream) =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      printed[stream] += String(chunk);
      return true;
    }),
  );
  try {
    const code = await main(argv);
    return { code, ...printed };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The listing's line for a command: its usage, then its summary after two spaces or more (or on the next line). */
function listingLine(listing: string, name: string): string | undefined {
  return listing.split('\n').find((l) => l.startsWith(`  npm run ${name} `) || l === `  npm run ${name}`);
}

describe('the CLI', () => {
  it('has an npm script for every reserved command name', () => {
    const reserved = [
      'up',
      'down',
      'status',
      'preflight',
      'prefetch',
      'check',
      'solve',
      'reset',
      'datagen',
      'notify',
      'room',
      'join',
      'site',
      'site:build',
      'stack:local',
      'bench',
      'test',
    ];
    for (const name of reserved) expect(packageJson.scripts, `npm script ${name}`).toHaveProperty(name);
    for (const command of commands) {
      expect(packageJson.scripts[command.name]).toBe(`node workshop/launcher/launch.mjs ${command.name}`);
    }
  });

  it('tells a bug in the kit from every failure a person can cause: exit 70, the stack, and where to report it', async () => {
    const status = commands.find((c) => c.name === 'status');
    const statusRun = status?.run;
    if (!status || !statusRun) throw new Error('the status command is missing');
    status.run = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'state')");
    };
    const { code, stderr } = await runCli('status').finally(() => {
      status.run = statusRun;
    });
    expect(code).toBe(70);
    expect(stderr).toContain('a bug in the workshop kit, please report it');
    expect(stderr).toContain("TypeError: Cannot read properties of undefined (reading 'state')");
  });

  it('lists the valid commands and exits 2 on an unknown one', () => {
    const { code, stderr } = cli('chek');
    expect(code).toBe(2);
    expect(stderr).toContain('Error: unknown command "chek". The commands are:');
    for (const command of commands) expect(stderr).toContain(command.usage);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says which part of the kit brings a reserved command', async () => {
    // Every command of this version runs; a reserved one is made for the test.
    commands.push({ name: 'someday', usage: 'npm run someday', summary: 's', comesWith: 'a later part of the kit' });
    const { code, stderr } = await runCli('someday').finally(() => commands.pop());
    expect(code).toBe(1);
    expect(stderr).toContain(
      'npm run someday is reserved but not part of this version of the kit yet: it comes with a later part of the kit',
    );
  });

  it('refuses a flag room or join does not take, saying what they take', async () => {
    for (const [name, usage] of [
      ['room', 'Usage: npm run room [-- --port 8090]'],
      ['join', 'Usage: npm run join -- <url> <code>'],
    ] as const) {
      const { code, stderr } = await runCli(name, '--fast');
      expect(code).toBe(2);
      expect(stderr).toContain("Unknown option '--fast'");
      expect(stderr).toContain(usage);
    }
  });

  it('refuses an option stack:local does not take, with exit 2 and no stack trace', () => {
    const { code, stderr } = cli('stack:local', '--fast');
    expect(code).toBe(2);
    expect(stderr).toContain("Error: Unknown option '--fast'");
    expect(stderr).toContain('Usage: npm run stack:local');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the same usage line in the listing and in each command’s --help and -h, which exit 0', async () => {
    const listing = await runCli();
    expect(listing.code).toBe(2);
    expect(listing.stdout.startsWith("The workshop's commands:\n")).toBe(true);
    for (const command of commands) {
      for (const flag of ['--help', '-h']) {
        const help = await runCli(command.name, flag);
        expect(help.code, `${command.name} ${flag}: ${help.stderr}`).toBe(0);
        expect(help.stderr).toBe('');
        const [usageLine, summary] = help.stdout.split('\n');
        expect(usageLine).toBe(`usage: ${command.usage}`);
        const usage = usageLine?.replace(/^usage: /, '');
        const line = listingLine(listing.stdout, command.name);
        expect(line === `  ${usage}` || line?.startsWith(`  ${usage}  `), `${line}\n  ${usage}`).toBe(true);
        expect(summary).toBe(command.summary);
        expect(help.stdout).toContain('-h, --help');
      }
    }
  });

  it('refuses a flag no command takes with exit 2, naming it and giving the command’s usage', async () => {
    for (const command of commands) {
      const { code, stderr } = await runCli(command.name, '--nope');
      expect(code, command.name).toBe(2);
      // The data generator reads its first word as the generator's name, as it always has.
      expect(stderr, command.name).toMatch(/Unknown option '--nope'|unknown generator "--nope"/);
      // After the message, or on a line of its own for a long usage (usageAsHint).
      const given = [`. Usage: ${command.usage}`, `→ usage: ${command.usage}`].some((usage) => stderr.includes(usage));
      expect(given, `${command.name}: ${stderr}`).toBe(true);
    }
  });

  it('says what each flag of each command does', () => {
    for (const command of commands) {
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        expect(flag.description, `${command.name} --${name}`).toMatch(/^[a-z(]/);
      }
    }
  });
});
