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
    const run = status?.run;
    if (!status || !run) throw new Error('the status command is missing');
    status.run = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'state')");
    };
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['status'])).toBe(70);
    } finally {
      status.run = run;
      write.mockRestore();
    }
    expect(written.join('')).toContain('a bug in the workshop kit, please report it');
    expect(written.join('')).toContain("TypeError: Cannot read properties of undefined (reading 'state')");
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
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['someday'])).toBe(1);
    } finally {
      commands.pop();
      write.mockRestore();
    }
    expect(written.join('')).toContain(
      'npm run someday is reserved but not part of this version of the kit yet: it comes with a later part of the kit',
    );
  });

  it('refuses a flag room or join does not take, saying what they take', async () => {
    for (const [name, usage] of [
      ['room', 'Usage: npm run room [-- --port 8090]'],
      ['join', 'Usage: npm run join -- <url> <code>'],
    ] as const) {
      const written: string[] = [];
      const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      try {
        expect(await main([name, '--fast'])).toBe(2);
      } finally {
        write.mockRestore();
      }
      expect(written.join('')).toContain("Unknown option '--fast'");
      expect(written.join('')).toContain(usage);
    }
  });

  it('refuses an option stack:local does not take, with exit 2 and no stack trace', () => {
    const { code, stderr } = cli('stack:local', '--fast');
    expect(code).toBe(2);
    expect(stderr).toContain("Error: Unknown option '--fast'");
    expect(stderr).toContain('Usage: npm run stack:local');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
