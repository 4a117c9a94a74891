/**
 * The workshop site, built as `npm run site:build` builds it (broken links and anchors fail the build), served from
 * 127.0.0.1 and opened in Debian's Chromium through playwright-core (nothing downloads a browser): the landing page
 * and every step page, in the course's order, each showing its check command and the files solve applies; the copy
 * button; the local search; no console error and no request leaving 127.0.0.1. Screenshots go to
 * test-artifacts/site/. Where no Chromium is installed the browser part is skipped with the reason, except in CI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConcepts, loadCourse } from '#checks/course.js';
import { repoRoot } from '#core/state-dir.js';

const root = repoRoot;
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const noBrowser = chromium ? undefined : 'no Chromium installed (apt-get install chromium)';
if (noBrowser && process.env.CI) throw new Error(`CI needs the site's browser tests: ${noBrowser}`);
const artifacts = path.join(root, 'test-artifacts', 'site');
const course = loadCourse();
const flinkCourse = loadCourse(undefined, 'flink').filter((s) => s.engine === 'flink');
const conceptTitles = new Map(loadConcepts().map((c) => [c.id, c.title]));

/** Builds the site into a folder of its own; the build's output is kept for the failure message. */
function build(outDir: string): Promise<{ code: number | null; output: string }> {
  const bin = path.join(root, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'build', '--out-dir', outDir], {
      cwd: path.join(root, 'site'),
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** A static server for the built site, as any web server serves it: /steps/step-1 is steps/step-1/index.html. */
function serve(dir: string): Promise<Server> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.xml': 'application/xml',
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const wanted = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    const candidates = [wanted, path.join(wanted, 'index.html'), `${wanted}.html`];
    const file = candidates.find((c) => c.startsWith(dir) && existsSync(c) && statSync(c).isFile());
    const found = file ?? path.join(dir, '404.html');
    response.writeHead(file ? 200 : 404, { 'content-type': types[path.extname(found)] ?? 'application/octet-stream' });
    response.end(readFileSync(found));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the workshop site', () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'site-build-'));
  let built: { code: number | null; output: string };
  let server: Server | undefined;
  let base = '';
  // biome-ignore lint/suspicious/noExplicitAny: playwright-core's types are loaded with it, only where it runs.
  let browser: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  let page: any;
  const consoleErrors: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    built = await build(outDir);
    if (built.code !== 0) return;
    server = await serve(outDir);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (noBrowser) return;
    const { chromium: launcher } = await import('playwright-core');
    browser = await launcher.launch({
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.on('console', (message: { type(): string; text(): string }) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error: Error) => consoleErrors.push(error.message));
    page.on('request', (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') outside.push(request.url());
    });
    mkdirSync(artifacts, { recursive: true });
  }, 5 * 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('builds, with broken links and anchors failing the build', () => {
    expect(built.code, built.output.slice(-3000)).toBe(0);
    const config = readFileSync(path.join(root, 'site', 'docusaurus.config.ts'), 'utf8');
    expect(config).toMatch(/onBrokenLinks: 'throw'/);
    expect(config).toMatch(/onBrokenAnchors: 'throw'/);
    for (const step of course)
      expect(existsSync(path.join(outDir, 'steps', step.id, 'index.html')), step.id).toBe(true);
  });

  describe.skipIf(noBrowser !== undefined)(`in Chromium${noBrowser ? ` [skipped: ${noBrowser}]` : ''}`, () => {
    const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

    it('opens the landing page: the pipeline, what is needed, and the way to step 1', async () => {
      await page.goto(`${base}/`, { waitUntil: 'networkidle' });
      await shot('landing');
      expect(await page.title()).toContain('Build a streaming data pipeline');
      expect(await page.locator('figure.pipeline-diagram svg').count()).toBe(1);
      expect(await page.locator('main').innerText()).toContain('npm run preflight');
      await page.getByRole('link', { name: 'Start with step 1' }).click();
      await page.waitForURL(`${base}/steps/step-1`);
    });

    it('lists the steps in the sidebar in the course order, the optional ones under Going further, then the closing page', async () => {
      await page.goto(`${base}/steps/step-1`, { waitUntil: 'networkidle' });
      const labels: string[] = await page.locator('nav.menu a.menu__link').allInnerTexts();
      const label = (s: (typeof course)[number]) => `${s.number}. ${s.title}`;
      expect(labels.map((l) => l.trim())).toEqual([
        ...course.filter((s) => !s.optional).map(label),
        'Going further',
        ...course.filter((s) => s.optional).map(label),
        'What next',
      ]);
    });

    it('opens the closing page after the last step: three things to remember, what to try, the talk', async () => {
      const last = course[course.length - 1];
      await page.goto(`${base}/steps/${last?.id}`, { waitUntil: 'networkidle' });
      await page.locator('a.pagination-nav__link--next').click();
      await page.waitForURL(`${base}/steps/what-next`);
      await shot('what-next');
      const text: string = await page.locator('article').innerText();
      expect(text).toContain('If you remember three things');
      expect(text).toContain('What to try next');
      expect(text).toContain('QCon London');
    });

    /** A step's page, as its engine's variant: the guide, the check, the files solve applies, the stage. */
    const pageOf = (step: (typeof course)[number]) => `/steps/${step.id}${step.engine === 'flink' ? '/flink' : ''}`;
    it.each([...course, ...flinkCourse].map((s) => [`${s.id} (${s.engine})`, s] as const))(
      'opens %s: its guide, its check command, the files solve applies, its stage marked',
      async (_, step) => {
        const id = step.id;
        await page.goto(`${base}${pageOf(step)}`, { waitUntil: 'networkidle' });
        await shot(step.engine === 'flink' ? `${id}-flink` : id);
        const text: string = await page.locator('article').innerText();
        expect(await page.locator('article h1').first().innerText()).toContain(`Step ${step.number}`);
        // The title first, then what the step builds: the diagram and the concepts come after the heading.
        const html: string = await page.locator('article').innerHTML();
        expect(html.indexOf('<h1'), `${id}: a title`).toBeGreaterThanOrEqual(0);
        expect(html.indexOf('<h1'), `${id}: the title comes before the diagram`).toBeLessThan(
          html.indexOf('pipeline-diagram'),
        );
        // The walkthrough's notes on fences are not shown.
        expect(text).not.toContain('walk=');
        expect(text).toContain(`npm run check ${id}`);
        // The files solve applies may be folded (details): their titles are in the page, shown or not.
        const titles: string[] = await page.locator('article [class*="codeBlockTitle"]').allTextContents();
        for (const resource of step.solution) {
          if (!('file' in resource)) continue;
          expect(titles, `${id} shows ${resource.file}`).toContain(path.relative(root, resource.file));
        }
        const stage = await page.locator('figure.pipeline-diagram svg').getAttribute('data-active');
        expect(stage?.length, `${id} marks its part of the pipeline`).toBeGreaterThan(0);
        // The concepts from the talk, above the guide; each thing the check looks at, in the check's own words.
        const concepts: string = await page.locator('aside.concepts').innerText();
        for (const concept of step.concepts) {
          expect(concepts, `${id} names ${concept}`).toContain(conceptTitles.get(concept));
        }
        const passMeans: string = await page.locator('ul.pass-means').innerText();
        const troubleshooting: string = await page.locator('details.troubleshooting').textContent();
        for (const expectation of step.expectations) {
          expect(passMeans).toContain(expectation.kind.object(expectation.params));
          expect(troubleshooting).toContain(expectation.kind.object(expectation.params));
          expect(troubleshooting.replace(/\s+/g, ' ')).toContain(expectation.hint.replace(/\s+/g, ' '));
        }
      },
    );

    it('shows commands for macOS/Linux and Windows where they differ, and remembers the choice', async () => {
      await page.goto(`${base}/steps/step-4`, { waitUntil: 'networkidle' });
      const tabs = page.locator('article .tabs-container:has(> .shell-variants)').first();
      expect(await tabs.locator('[role="tabpanel"]:not([hidden])').innerText()).toContain('npm run ksql -- -f');
      await tabs.getByRole('tab', { name: 'Windows (PowerShell)' }).click();
      await shot('step-4-powershell');
      expect(await tabs.locator('[role="tabpanel"]:not([hidden])').innerText()).toContain("npm run ksql '--' -f");
      // Another page opens on the same choice: the tabs share a group, kept in the browser.
      await page.goto(`${base}/steps/step-7`, { waitUntil: 'networkidle' });
      const shown: string[] = await page
        .locator('article .tabs-container:has(> .shell-variants) [role="tabpanel"]:not([hidden])')
        .allInnerTexts();
      expect(shown.join('\n')).toContain('curl.exe');
      await page.getByRole('tab', { name: 'macOS / Linux' }).first().click();
    });

    it('switches a step between ksqlDB and Flink SQL, and takes the next step to the engine chosen', async () => {
      await page.goto(`${base}/steps/step-4`, { waitUntil: 'networkidle' });
      const current = () => page.locator('nav.engine-switch [aria-current="page"]').innerText();
      expect(await current()).toBe('ksqlDB');
      await page.locator('nav.engine-switch').getByRole('link', { name: 'Flink SQL' }).click();
      await page.waitForURL(`${base}/steps/step-4/flink`);
      expect(await current()).toBe('Flink SQL');
      expect(await page.locator('article h1').first().innerText()).toContain('with Flink SQL');
      expect(await page.locator('.pipeline-group-label').textContent()).toBe('Flink SQL');
      await shot('step-4-flink-chosen');
      // The choice is kept in the browser: another step opens on its Flink SQL page; a step without one stays.
      await page.goto(`${base}/steps/step-6`, { waitUntil: 'networkidle' });
      await page.waitForURL(`${base}/steps/step-6/flink`);
      await page.goto(`${base}/steps/step-8`, { waitUntil: 'networkidle' });
      expect(page.url()).toBe(`${base}/steps/step-8`);
      expect(await page.locator('nav.engine-switch').count()).toBe(0);
      // Step 12's Flink SQL page follows step 10 as a Flink room goes: step 11 is ksqlDB's only.
      await page.goto(`${base}/steps/step-12/flink`, { waitUntil: 'networkidle' });
      expect(await page.locator('a.pagination-nav__link--prev').getAttribute('href')).toBe('/steps/step-10');
      expect(await current()).toBe('Flink SQL');
      // Back to ksqlDB, for the tests after this one.
      await page.goto(`${base}/steps/step-6/flink`, { waitUntil: 'networkidle' });
      await page.locator('nav.engine-switch').getByRole('link', { name: 'ksqlDB' }).click();
      await page.waitForURL(`${base}/steps/step-6`);
    });

    it('copies a code block to the clipboard with its button', async () => {
      await page.goto(`${base}/steps/step-4`, { waitUntil: 'networkidle' });
      const block = page.locator('article .theme-code-block').first();
      const shown: string = await block.locator('code').innerText();
      await block.hover();
      await block.getByRole('button', { name: /copy/i }).click();
      const copied: string = await page.evaluate('navigator.clipboard.readText()');
      expect(copied.trim()).toBe(shown.trim());
    });

    it('finds a step by a word from its guide with the local search', async () => {
      await page.goto(`${base}/search?q=Debezium`, { waitUntil: 'networkidle' });
      const results = page.locator('[class*="searchResultItem"] a[href*="/steps/"]');
      await results.first().waitFor({ timeout: 15_000 });
      const links: string[] = await results.evaluateAll((as: { href: string }[]) =>
        as.map((a) => new URL(a.href).pathname),
      );
      await shot('search-debezium');
      expect(links.some((href) => href.startsWith('/steps/step-3'))).toBe(true);
    });

    it('logged no console error and sent no request beyond 127.0.0.1', () => {
      expect(consoleErrors).toEqual([]);
      expect(outside).toEqual([]);
    });
  });
});
