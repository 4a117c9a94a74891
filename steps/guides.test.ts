/**
 * What the site shows cannot drift from what the kit runs: no code block in a guide or an instructor page holds a
 * ksqlDB statement or a connector config that is not a file of a step (a fence with from=steps/…), and every
 * `npm run` command a page shows is one the README lists. Inspection statements (SHOW, LIST, DESCRIBE) may stand
 * alone: they change nothing and cannot go stale.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '#checks/course.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
/** The commands the README's command table lists. */
const commands = new Set([...readme.matchAll(/^\| `npm run ([a-z:-]+)/gm)].map((m) => m[1]));

const pages = [
  ...loadCourse().map((step) => step.guidePath),
  ...loadCourse(undefined, 'flink')
    .filter((step) => step.engine === 'flink')
    .map((step) => step.guidePath),
  'steps/what-next.md',
  ...readdirSync(path.join(root, 'site', 'instructor'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `site/instructor/${f}`),
];

interface Block {
  page: string;
  info: string;
  body: string;
  /** The block written right after this one, with only blank lines between them. */
  next?: Block;
}

const blocks: Block[] = pages.flatMap((page) => {
  const text = readFileSync(path.join(root, page), 'utf8');
  const found = [...text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```\n?/gm)];
  const list: Block[] = found.map((m) => ({ page, info: m[1] ?? '', body: m[2] ?? '' }));
  found.forEach((m, i) => {
    const following = found[i + 1];
    const end = (m.index ?? 0) + m[0].length;
    if (following && text.slice(end, following.index).trim() === '') (list[i] as Block).next = list[i + 1];
  });
  return list;
});
const language = (block: Block) => block.info.split(/\s/)[0];

const fromFile = (block: Block) => /(?:^|\s)from=(\S+)/.exec(block.info)?.[1];
const statement = /^\s*(CREATE|INSERT|DROP|SELECT|SET|TERMINATE|ALTER|PAUSE|RESUME)\b/im;

describe('code blocks on the site', () => {
  it('are there to check', () => {
    expect(blocks.length).toBeGreaterThan(30);
    expect(commands.size).toBeGreaterThan(10);
  });

  it.each(blocks.filter((b) => statement.test(b.body) || /"connector\.class"/.test(b.body)))(
    '$page: a ksqlDB statement or connector config comes from a step file',
    (block) => {
      const file = fromFile(block);
      expect(file, `a block of ${block.page} without from=: ${block.body.slice(0, 80)}`).toMatch(
        /^steps\/[^/]+\/(flink\/)?(solution|queries)\//,
      );
    },
  );

  it('hold no statement that changes ksqlDB inside a command line', () => {
    const inline = blocks.flatMap((b) =>
      [...b.body.matchAll(/npm run (?:ksql|flink) (?:--|'--') "([^"]*)"/g)].map((m) => ({
        page: b.page,
        text: m[1] ?? '',
      })),
    );
    for (const { page, text } of inline) expect(text, page).not.toMatch(statement);
  });

  it('show only commands the README lists', () => {
    for (const block of blocks) {
      for (const m of block.body.matchAll(/npm run ([a-z:-]+)/g)) {
        expect([...commands], `${block.page}: npm run ${m[1]}`).toContain(m[1]);
      }
    }
  });

  it('give a PowerShell variant for every command that differs on Windows, right after it', () => {
    // What PowerShell reads differently: curl is an alias of Invoke-WebRequest in Windows PowerShell; npm.ps1 drops a
    // bare -- (npm/cli#4903), so the dashed arguments after it go to npm; @ starts a splat; ` continues a line, not \;
    // variables are set with $env:.
    const differs = (line: string) =>
      /^curl\s/.test(line) || /^export\s/.test(line) || /\\$/.test(line) || /npm run \S+ -- (?:.*\s)?-/.test(line);
    for (const block of blocks.filter((b) => language(b) === 'sh')) {
      const lines = block.body.split('\n').filter((line) => differs(line.trim()));
      if (lines.length === 0) continue;
      expect(
        block.next && language(block.next),
        `${block.page}: a \`\`\`powershell block after the one with ${JSON.stringify(lines[0])}`,
      ).toBe('powershell');
    }
  });

  it('write PowerShell variants as PowerShell reads them', () => {
    const variants = blocks.filter((b) => language(b) === 'powershell');
    expect(variants.length).toBeGreaterThan(5);
    for (const block of variants) {
      const previous = blocks.find((b) => b.next === block);
      expect(previous && language(previous), `${block.page}: a powershell block follows its sh block`).toBe('sh');
      for (const line of block.body.split('\n').map((l) => l.trim())) {
        expect(line, block.page).not.toMatch(/^curl\s/);
        expect(line, block.page).not.toMatch(/\\$/);
        expect(line, block.page).not.toMatch(/\s@\S/);
        expect(line, block.page).not.toMatch(/npm run \S+ -- (?:.*\s)?-/);
        expect(line, block.page).not.toMatch(/^export\s/);
      }
    }
  });
});
