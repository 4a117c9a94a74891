/**
 * Step 9's saved-objects file, held to what Kibana 8.19 itself writes and takes: the types and versions it exports,
 * references that resolve inside the file, and an import into the stand-in, which refuses what 8.19 refuses. The
 * stand-in's own refusals are proven here too, each against a file broken on purpose.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '#checks/course.js';
import { type KibanaStandInState, kibanaLatestVersions, kibanaStandIn } from '#workshop/dev/stack/kibana-standin.js';
import type { StandIn } from '#workshop/dev/stack/standins.js';
import { dashboardPanels, dataViewIds, fieldsUsed, type KibanaObject } from './kibana-look.js';

const step = loadCourse().find((s) => s.id === 'step-9');
const resource = step?.solution.find((r) => r.kind === 'kibana-saved-objects');
if (resource?.kind !== 'kibana-saved-objects') throw new Error('step 9 imports no saved objects');
const text = readFileSync(resource.file, 'utf8');
const lines = text.split('\n').filter((line) => line.trim() !== '');
const objects = lines.map((line) => JSON.parse(line)).filter((o) => o.type !== undefined) as (KibanaObject & {
  typeMigrationVersion: string;
  coreMigrationVersion: string;
})[];

/** The fields step 8's sink writes, by index: ksqlDB's columns, and text's keyword sub-fields. */
const rating = [
  'ID',
  'RATING_ID',
  'STARS',
  'ROUTE_ID',
  'RATING_TIME',
  'CHANNEL',
  'MESSAGE',
  'FULL_NAME',
  'CLUB_STATUS',
  'EMAIL',
];
const text_ = ['CHANNEL', 'MESSAGE', 'FULL_NAME', 'CLUB_STATUS', 'EMAIL'];
const withKeywords = (fields: string[], texts: string[]) => [...fields, ...texts.map((f) => `${f}.keyword`)];
const indexFields: Record<string, string[]> = {
  ratings_with_customer_data: withKeywords(rating, text_),
  unhappy_platinum_customers: withKeywords(rating, text_),
  ratings_by_club_status_1min: withKeywords(
    ['CLUB_STATUS', 'RATING_COUNT', 'STATUS', 'WINDOW_START_TS', 'WINDOW_ID'],
    ['CLUB_STATUS', 'STATUS', 'WINDOW_ID'],
  ),
};

describe("step 9's dashboard.ndjson", () => {
  it('is one JSON object per line, as Kibana exports them: keys sorted, compact, the summary last', () => {
    for (const line of lines) {
      const parsed = JSON.parse(line);
      const sorted = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(sorted)
          : value && typeof value === 'object'
            ? Object.fromEntries(
                Object.keys(value)
                  .sort()
                  .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
              )
            : value;
      expect(JSON.stringify(sorted(parsed))).toBe(line);
    }
    expect(JSON.parse(lines[lines.length - 1] ?? '{}')).toMatchObject({
      exportedCount: objects.length,
      missingRefCount: 0,
    });
  });

  it('holds the three data views, three Lens visualisations, a saved search and the dashboard', () => {
    expect(objects.map((o) => o.type).sort()).toEqual(
      ['dashboard', 'index-pattern', 'index-pattern', 'index-pattern', 'lens', 'lens', 'lens', 'search'].sort(),
    );
    const views = objects.filter((o) => o.type === 'index-pattern');
    expect(views.map((v) => [v.attributes.title, v.attributes.timeFieldName]).sort()).toEqual([
      ['ratings_by_club_status_1min', 'WINDOW_START_TS'],
      ['ratings_with_customer_data', 'RATING_TIME'],
      ['unhappy_platinum_customers', 'RATING_TIME'],
    ]);
  });

  it('writes each object with the versions Kibana 8.19 exports: no type or version 8.19 does not know', () => {
    for (const o of objects) {
      expect(Object.keys(kibanaLatestVersions), o.id).toContain(o.type);
      expect(o.typeMigrationVersion, o.id).toBe(kibanaLatestVersions[o.type]);
      expect(o.coreMigrationVersion, o.id).toBe('8.8.0');
    }
  });

  it('resolves every reference inside the file, and every panel of the dashboard', () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    for (const o of objects) {
      for (const r of o.references) expect(ids.has(`${r.type}:${r.id}`), `${o.id} → ${r.type}:${r.id}`).toBe(true);
    }
    const dashboard = objects.find((o) => o.type === 'dashboard') as KibanaObject;
    const panels = dashboardPanels(dashboard, objects);
    expect(panels).toHaveLength(4);
    for (const panel of panels) expect('object' in panel, JSON.stringify(panel)).toBe(true);
  });

  it('gives each Lens layer its data view reference, named as Lens names it', () => {
    for (const lens of objects.filter((o) => o.type === 'lens')) {
      const state = lens.attributes.state as { datasourceStates: { formBased: { layers: Record<string, unknown> } } };
      for (const layerId of Object.keys(state.datasourceStates.formBased.layers)) {
        expect(lens.references.map((r) => r.name)).toContain(`indexpattern-datasource-layer-${layerId}`);
      }
    }
  });

  it("names only fields that step 8's indexes have", () => {
    for (const o of objects.filter((x) => x.type === 'lens' || x.type === 'search')) {
      const [viewId] = dataViewIds(o);
      const view = objects.find((v) => v.type === 'index-pattern' && v.id === viewId);
      const fields = indexFields[String(view?.attributes.title)] ?? [];
      for (const field of fieldsUsed(o)) expect(fields, `${o.id} uses ${field}`).toContain(field);
    }
  });
});

describe('the Kibana stand-in imports as Kibana 8.19 does', () => {
  let standIn: StandIn & { state: KibanaStandInState };

  beforeAll(async () => {
    standIn = await kibanaStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  async function importFile(content: string, name = 'export.ndjson', overwrite = true, xsrf = true) {
    const form = new FormData();
    form.append('file', new Blob([content]), name);
    const response = await fetch(`${standIn.url}/api/saved_objects/_import${overwrite ? '?overwrite=true' : ''}`, {
      method: 'POST',
      headers: xsrf ? { 'kbn-xsrf': 'test' } : {},
      body: form,
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const withLine = (id: string, change: (o: Record<string, unknown>) => void) =>
    lines
      .map((line) => {
        const o = JSON.parse(line);
        if (o.id === id) change(o);
        return JSON.stringify(o);
      })
      .join('\n');

  it('takes the file: every object written, the summary line ignored', async () => {
    standIn.state.objects.clear();
    const answer = await importFile(text);
    expect(answer).toMatchObject({ status: 200, body: { success: true, successCount: 8 } });
    expect(standIn.state.objects.size).toBe(8);
    const again = await importFile(text);
    expect((again.body.successResults as { overwrite?: boolean }[]).every((r) => r.overwrite)).toBe(true);
  });

  it('refuses the whole file when a version is newer than 8.19 knows (422), and writes nothing', async () => {
    standIn.state.objects.clear();
    const answer = await importFile(withLine('workshop-dashboard', (o) => (o.typeMigrationVersion = '10.4.0')));
    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe(
      'Document "workshop-dashboard" belongs to a more recent version of Kibana [10.4.0] when the last known version is [10.3.0].',
    );
    expect(standIn.state.objects.size).toBe(0);
  });

  it('writes nothing when a data view a visualisation reads is missing', async () => {
    standIn.state.objects.clear();
    const content = lines.filter((line) => JSON.parse(line).id !== 'workshop-unhappy-platinum-customers').join('\n');
    const answer = await importFile(content);
    // As Kibana answers: the other objects counted as successes, though none was written.
    expect(answer.body).toMatchObject({
      success: false,
      successCount: 6,
      errors: [
        {
          id: 'workshop-unhappy-platinum-count',
          error: {
            type: 'missing_references',
            references: [{ type: 'index-pattern', id: 'workshop-unhappy-platinum-customers' }],
          },
        },
      ],
    });
    expect(standIn.state.objects.size).toBe(0);
  });

  it('reports a type 8.19 does not have, and imports the rest', async () => {
    standIn.state.objects.clear();
    const session = JSON.stringify({
      type: 'discover-session',
      id: 'tabs',
      attributes: { title: 'tabs' },
      references: [],
    });
    const answer = await importFile(`${session}\n${text}`);
    expect(answer.body).toMatchObject({
      success: false,
      successCount: 8,
      errors: [{ id: 'tabs', error: { type: 'unsupported_type' } }],
    });
  });

  it('refuses a saved search with an attribute its 8.19 schema does not know', async () => {
    standIn.state.objects.clear();
    const answer = await importFile(
      withLine('workshop-newest-poor-ratings', (o) => {
        (o.attributes as Record<string, unknown>).tabs = [];
      }),
    );
    expect(answer.body).toMatchObject({
      success: false,
      errors: [
        {
          id: 'workshop-newest-poor-ratings',
          error: { type: 'unknown', message: '[attributes.tabs]: definition for this key is missing' },
        },
      ],
    });
  });

  it.each([
    ['a file not named .ndjson', () => importFile(text, 'export.json'), 400, 'Invalid file extension .json'],
    ['a line that is not JSON', () => importFile(`${text}\n{oops`), 400, 'JSON'],
    ['a request without kbn-xsrf', () => importFile(text, 'x.ndjson', true, false), 400, 'kbn-xsrf'],
    ['an object twice', () => importFile(`${lines[0]}\n${lines[0]}`), 400, 'Non-unique import objects detected'],
  ])('refuses %s', async (_name, run, status, message) => {
    const answer = await run();
    expect(answer.status).toBe(status);
    expect(String(answer.body.message)).toContain(message);
  });
});

describe('the Kibana stand-in of the local stack, opened in a browser', () => {
  it('says it is a stand-in and where the real Kibana with the dashboard runs, instead of a bare 404', async () => {
    const standIn = await kibanaStandIn();
    try {
      for (const page of ['/', '/app/dashboards']) {
        const answer = await fetch(`${standIn.url}${page}`, { signal: AbortSignal.timeout(5_000) });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toContain('text/html');
        const text = await answer.text();
        expect(text).toContain('This is not Kibana');
        expect(text).toContain('npm run up');
      }
    } finally {
      await standIn.close();
    }
  });
});
