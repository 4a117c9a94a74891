/**
 * The workshop site: how long `npm run site:build` takes, how big the built site is, and the largest page's transfer
 * size (its HTML with the scripts and styles it loads, gzip-compressed as a web server sends them), beside the
 * smallest page's as the reference.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { progress } from '#core/output.js';
import { repoRoot } from '#core/state-dir.js';
import { printTable } from './stack-bench.js';

const root = repoRoot;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

export async function benchSite(): Promise<void> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'site-bench-'));
  try {
    progress('site: building it (npm run site:build)');
    const bin = path.join(root, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs');
    const started = Date.now();
    const build = spawnSync(process.execPath, [bin, 'build', '--out-dir', out], {
      cwd: path.join(root, 'site'),
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    const buildMs = Date.now() - started;
    if (build.status !== 0) throw new Error(`the site did not build:\n${build.stdout}\n${build.stderr}`);
    const all = files(out);
    const total = all.reduce((sum, f) => sum + statSync(f).size, 0);
    const gz = (file: string) => gzipSync(readFileSync(file)).length;
    const pages = all
      .filter((f) => f.endsWith('.html') && !f.endsWith('404.html'))
      .map((page) => {
        const html = readFileSync(page, 'utf8');
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
        const bytes = gz(page) + [...new Set(assets)].reduce((sum, a) => sum + gz(path.join(out, a)), 0);
        return { page: `/${path.relative(out, path.dirname(page))}`, bytes };
      })
      .sort((a, b) => b.bytes - a.bytes);
    const largest = pages[0];
    const smallest = pages[pages.length - 1];
    printTable(
      'The workshop site (npm run site:build)',
      ['figure', 'value'],
      [
        ['build time', `${(buildMs / 1000).toFixed(1)} s`],
        ['built site, all files', `${(total / 1024 / 1024).toFixed(1)} MB in ${all.length} files`],
        ['pages', String(pages.length)],
        [`largest page transfer (${largest?.page}), gzip`, kb(largest?.bytes ?? 0)],
        [`reference: smallest page (${smallest?.page}), gzip`, kb(smallest?.bytes ?? 0)],
        ['ratio largest / smallest', ((largest?.bytes ?? 0) / (smallest?.bytes || 1)).toFixed(2)],
      ],
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
