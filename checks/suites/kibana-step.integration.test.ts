/**
 * Step 9 on the local stack: the real Elasticsearch, with indexes made as step 8's sink makes them (the index template,
 * then documents whose fields Elasticsearch maps itself), and the stack's Kibana stand-in, which imports and finds
 * saved objects as Kibana 8.19 does (the Docker suite imports into a real Kibana). Each fault is a learner's likely
 * mistake, and each must fail with its own message.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureTimestampTemplate } from '#checks/clients/index-template.js';
import { loadCourse } from '#checks/course.js';
import { runStep } from '#checks/engine.js';
import { importSavedObjects, removeSavedObjects } from '#checks/resources/kibana.js';
import type { StepResult } from '#checks/types.js';
import { workshopEnv } from '#workshop/dev/stack/local-stack.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

const step = loadCourse().find((s) => s.id === 'step-9');
if (!step) throw new Error('no step-9');
const solutionFile = path.join(step.folder, 'solution', 'dashboard.ndjson');
const solutionLines = readFileSync(solutionFile, 'utf8').split('\n').filter(Boolean);

function verdict(result: StepResult) {
  const decisive = result.expectations.find((e) => e.outcome !== 'pass') ?? result.expectations.at(-1);
  return { outcome: result.outcome, object: decisive?.object, found: decisive?.found, hint: decisive?.hint };
}

const indexes = ['ratings_with_customer_data', 'unhappy_platinum_customers', 'ratings_by_club_status_1min'];

describeWithStack('step 9: the Kibana dashboard, its data views and fields, on the real Elasticsearch', (stack) => {
  let files: string;
  const context = () => checkContext(stack());
  const check = () => runStep(step, context(), { deadlineScale: 0.2, intervalMs: 250 });
  const es = async (p: string, init: { method?: string; body?: string } = {}) => {
    const response = await fetch(`${stack().elasticsearch.url}${p}`, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: { 'content-type': 'application/x-ndjson' },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as { errors?: boolean } };
  };

  /** Documents as the sink writes them from steps 5-7's records, then made searchable. */
  async function fillIndexes(from = 1, count = 12): Promise<void> {
    const now = Date.now();
    const lines: string[] = [];
    for (let id = from; id < from + count; id += 1) {
      const status = ['bronze', 'silver', 'gold', 'platinum'][id % 4] as string;
      const rating = {
        ID: id % 20,
        RATING_ID: id,
        STARS: 1 + (id % 5),
        ROUTE_ID: 7,
        RATING_TIME: now - id * 1000,
        CHANNEL: ['web', 'ios', 'android'][id % 3],
        MESSAGE: `rating ${id}`,
        FULL_NAME: 'Ada Lovelace',
        CLUB_STATUS: status,
        EMAIL: `c${id % 20}@example.com`,
      };
      const windowStart = now - (now % 60_000);
      lines.push(JSON.stringify({ index: { _index: 'ratings_with_customer_data', _id: `r+0+${id}` } }));
      lines.push(JSON.stringify(rating));
      lines.push(JSON.stringify({ index: { _index: 'unhappy_platinum_customers', _id: `u+0+${id}` } }));
      lines.push(JSON.stringify(rating));
      lines.push(JSON.stringify({ index: { _index: 'ratings_by_club_status_1min', _id: `${status}/${windowStart}` } }));
      lines.push(
        JSON.stringify({
          RATING_COUNT: id,
          STATUS: status,
          WINDOW_START_TS: windowStart,
          WINDOW_ID: `${status}/${windowStart}`,
        }),
      );
    }
    const answer = await es('/_bulk?refresh=true', { method: 'POST', body: `${lines.join('\n')}\n` });
    expect(answer.body.errors, JSON.stringify(answer.body)).toBe(false);
  }

  async function deleteIndexes(): Promise<void> {
    for (const index of indexes) await es(`/${index}`, { method: 'DELETE' });
  }

  /** The solution file with one object changed, as a learner's own edit or export would have it. */
  function changedFile(name: string, id: string, change: (o: Record<string, unknown>) => void): string {
    const file = path.join(files, `${name}.ndjson`);
    const lines = solutionLines.map((line) => {
      const o = JSON.parse(line);
      if (o.id === id) change(o);
      return JSON.stringify(o);
    });
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  const importFile = (file: string) => importSavedObjects(context().services, file, path.basename(file));
  const removeAll = () => removeSavedObjects(context().services, solutionFile);

  beforeAll(async () => {
    files = mkdtempSync(path.join(os.tmpdir(), 'kibana-step-'));
    await deleteIndexes();
    await ensureTimestampTemplate(stack().elasticsearch.url, { timeoutMs: 10_000 });
    await fillIndexes();
    await removeAll();
  });

  afterAll(async () => {
    await removeAll();
    await deleteIndexes();
  });

  it('fails before anything is imported, saying how to import the dashboard', async () => {
    const result = await check();
    expect(result.outcome).toBe('fail');
    const first = result.expectations[0];
    expect(first?.object).toBe('Kibana data view "ratings_with_customer_data"');
    expect(first?.found).toMatch(/^no data views at all|^no data view with that pattern/);
    expect(first?.hint).toContain('Saved objects → Import');
    expect(result.expectations.at(-1)?.found).toMatch(/no dashboard/);
  });

  it('passes on the solution: three data views with date time fields, four panels with every field found', async () => {
    const lines = await importFile(solutionFile);
    expect(lines.join('\n')).toContain('imported 8 saved objects');
    const result = await check();
    expect(result.outcome, JSON.stringify(result, null, 1)).toBe('pass');
    expect(result.expectations.map((e) => e.found)).toEqual([
      expect.stringMatching(
        /^"Ratings with customer data" \(id workshop-ratings-with-customer-data\): \d+ documents in ratings_with_customer_data, RATING_TIME a date$/,
      ),
      expect.stringMatching(/unhappy_platinum_customers, RATING_TIME a date$/),
      expect.stringMatching(/ratings_by_club_status_1min, WINDOW_START_TS a date$/),
      '4 panels, every field found: "Ratings per minute by club status", "Stars by channel", "Unhappy platinum customers", "Newest poor ratings"',
    ]);
  });

  it('a data view without its time field fails, naming the field to set', async () => {
    await importFile(
      changedFile('no-time', 'workshop-ratings-with-customer-data', (o) => {
        delete (o.attributes as Record<string, unknown>).timeFieldName;
      }),
    );
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'Kibana data view "ratings_with_customer_data"',
      found:
        '"Ratings with customer data" (id workshop-ratings-with-customer-data) has no time field, so the time picker cannot filter it',
      hint: expect.stringContaining('make RATING_TIME its timestamp field'),
    });
    await importFile(solutionFile);
  });

  it('a panel naming a field its index does not have fails, naming the panel and the field', async () => {
    await importFile(
      changedFile('wrong-field', 'workshop-stars-by-channel', (o) => {
        const text = JSON.stringify(o.attributes).replaceAll('"CHANNEL.keyword"', '"channel.keyword"');
        o.attributes = JSON.parse(text);
      }),
    );
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'Kibana dashboard "Customer ratings"',
      found: 'panel "Stars by channel" uses channel.keyword, which ratings_with_customer_data does not have',
      hint: expect.stringContaining('.keyword sub-field'),
    });
    await importFile(solutionFile);
  });

  it('a panel whose visualisation was deleted fails, naming it', async () => {
    const deleted = await context().services.kibana('/api/saved_objects/lens/workshop-unhappy-platinum-count', {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'Kibana dashboard "Customer ratings"',
      found: 'panel "panel 3": it shows lens "workshop-unhappy-platinum-count", which does not exist',
    });
    await importFile(solutionFile);
  });

  it('a data view whose pattern matches no index fails (a typo, or step 8 not done)', async () => {
    await es('/ratings_by_club_status_1min', { method: 'DELETE' });
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'Kibana data view "ratings_by_club_status_1min"',
      found: '"Ratings by club status (1 min)" (id workshop-ratings-by-club-status-1min): the pattern matches no index',
    });
  });

  it('a time field mapped as a number (an index made before the template) fails, saying how to replace it', async () => {
    await es('/ratings_by_club_status_1min', { method: 'DELETE' });
    await es('/_index_template/workshop-timestamps', { method: 'DELETE' });
    await fillIndexes(100, 3);
    await ensureTimestampTemplate(stack().elasticsearch.url, { timeoutMs: 10_000 });
    const result = await check();
    expect(verdict(result)).toMatchObject({
      outcome: 'fail',
      object: 'Kibana data view "ratings_by_club_status_1min"',
      found: expect.stringContaining('WINDOW_START_TS is mapped as long in ratings_by_club_status_1min'),
      hint: expect.stringContaining('npm run solve step-8'),
    });
    await deleteIndexes();
    await fillIndexes();
  });

  it('reset step-9 deletes the imported objects, and the check fails again', async () => {
    await importFile(solutionFile);
    const run = await runCli(['reset', 'step-9'], { ...workshopEnv(stack()), WORKSHOP_STATE_DIR: files });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Kibana dashboard "Customer ratings" deleted');
    expect(run.stdout).toContain('Kibana data view "Ratings by club status (1 min)" deleted');
    const result = await check();
    expect(verdict(result)).toMatchObject({ outcome: 'fail', found: expect.stringMatching(/^no data views at all/) });
  });
});
