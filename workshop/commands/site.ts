/**
 * `npm run site` serves the workshop site with live reload on 127.0.0.1; `npm run site:build` builds it into
 * site/build and fails on a broken link or anchor (the site's configuration makes Docusaurus throw on them).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandLine } from '#core/args.js';
import { EnvironmentError, ExitCode } from '#core/errors.js';
import { progress } from '#core/output.js';
import { repoRoot } from '#core/state-dir.js';

export const siteDir = path.join(repoRoot, 'site');
const docusaurus = path.join(repoRoot, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs');

/** Runs Docusaurus in the site folder; resolves with its exit code. */
export function runDocusaurus(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!existsSync(docusaurus)) {
    throw new EnvironmentError(
      'Docusaurus is not installed in this folder',
      'run npm install here (it installs the site with the rest of the kit), then try again',
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [docusaurus, ...args], { cwd: siteDir, stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

export async function siteCommand({ values: { port } }: CommandLine<{ port: number }>): Promise<number> {
  progress(`serving the workshop site at http://127.0.0.1:${port}/ (Ctrl-C to stop); it reloads as guides change`);
  const code = await runDocusaurus(['start', '--host', '127.0.0.1', '--port', String(port), '--no-open']);
  return code === 0 || code === 130 ? ExitCode.ok : ExitCode.failure;
}

export async function siteBuildCommand(_line: CommandLine<unknown>): Promise<number> {
  const code = await runDocusaurus(['build', '--out-dir', 'build']);
  if (code !== 0) {
    process.stderr.write('the site did not build: the lines above say which page and which link or file\n');
    return ExitCode.failure;
  }
  progress(`built into site/build; npm run site serves it with live reload`);
  return ExitCode.ok;
}
