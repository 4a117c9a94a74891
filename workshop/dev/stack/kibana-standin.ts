/**
 * A stand-in for Kibana 8.19, which cannot run on the kit's machines: its status API and the saved-objects APIs the
 * kit uses (import, find, get, delete), keeping objects in memory. It answers with the shapes Kibana sends and refuses
 * what Kibana 8.19 refuses, so a file that imports here is held to the real rules. Sources, in elastic/kibana (the
 * 8.19 layout): src/core/packages/saved-objects/server-internal/src/routes/{import,find,get,delete,utils}.ts,
 * src/core/packages/saved-objects/import-export-server-internal/src/import/ (collect_saved_objects.ts,
 * validate_references.ts, create_saved_objects.ts, import_saved_objects.ts), the DocumentMigrator's
 * assertCompatibility, and the import API's docs
 * (https://www.elastic.co/docs/api/doc/kibana/operation/operation-post-saved-objects-import). Under Docker the tests
 * import into a real Kibana instead.
 */
import type { IncomingMessage } from 'node:http';
import { type Answer, type StandIn, startStandIn } from './standins.js';

/**
 * The newest version of each type a Kibana 8.19 knows: a file object with a newer typeMigrationVersion makes the whole
 * import fail (422); an older one is migrated up. index-pattern: its 8.0.0 conversion (data_views.ts, no model
 * versions); lens: its last migration, 8.9.0 (lens/server/migrations/saved_object_migrations.ts); search: model
 * version 5, written 10.5.0 (saved_search/server/saved_objects/schema.ts); dashboard: model version 3, 10.3.0
 * (dashboard_saved_object.ts, sections, backported to 8.19).
 */
export const kibanaLatestVersions: Record<string, string> = {
  'index-pattern': '8.0.0',
  lens: '8.9.0',
  search: '10.5.0',
  dashboard: '10.3.0',
};

/** The management icon of each type, which import results carry in meta.icon. */
const icons: Record<string, string> = {
  'index-pattern': 'pattern',
  lens: 'lensApp',
  search: 'discoverApp',
  dashboard: 'dashboardApp',
};

/** Kibana checks only these references on import (validate_references.ts, REF_TYPES_TO_VALIDATE). */
const checkedReferenceTypes = ['index-pattern', 'search'];

/** The saved search's attributes in 8.19 (model version 5); its schema forbids any other. */
const searchAttributes = new Set([
  'title',
  'description',
  'columns',
  'sort',
  'grid',
  'hideChart',
  'isTextBasedQuery',
  'kibanaSavedObjectMeta',
  'rowHeight',
  'rowsPerPage',
  'breakdownField',
  'usesAdHocDataView',
  'timeRestore',
  'timeRange',
  'refreshInterval',
  'viewMode',
  'hideAggregatedPreview',
  'hits',
  'version',
  'sampleSize',
  'headerRowHeight',
  'visContext',
  'density',
]);

export interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { id: string; type: string; name: string }[];
  typeMigrationVersion?: string;
  coreMigrationVersion?: string;
  managed?: boolean;
}

const kibanaVersion = '8.19.4';

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const isSemver = (v: string) => /^\d+\.\d+\.\d+$/.test(v);

function boom(status: number, error: string, message: string): Answer {
  return { status, body: { statusCode: status, error, message } };
}

const titleOf = (o: SavedObject) => String(o.attributes.name ?? o.attributes.title ?? o.id);

/** What Kibana 8.19 says to an object's attributes when it validates them for create; undefined when they pass. */
function schemaProblem(o: SavedObject): string | undefined {
  const a = o.attributes;
  if (o.type === 'search') {
    if (typeof a.title !== 'string') return '[attributes.title]: expected value of type [string]';
    const meta = a.kibanaSavedObjectMeta as { searchSourceJSON?: unknown } | undefined;
    if (typeof meta?.searchSourceJSON !== 'string') {
      return '[attributes.kibanaSavedObjectMeta.searchSourceJSON]: expected value of type [string]';
    }
    const unknown = Object.keys(a).find((key) => !searchAttributes.has(key));
    if (unknown) return `[attributes.${unknown}]: definition for this key is missing`;
  }
  if (o.type === 'dashboard') {
    if (typeof a.title !== 'string') return '[attributes.title]: expected value of type [string]';
    for (const key of ['panelsJSON', 'optionsJSON', 'timeFrom', 'timeTo']) {
      if (a[key] !== undefined && typeof a[key] !== 'string')
        return `[attributes.${key}]: expected value of type [string]`;
    }
  }
  return undefined;
}

/** The uploaded file of a multipart/form-data body, as Kibana's route reads it (field `file`). */
async function uploadedFile(request: IncomingMessage, body: string): Promise<{ name: string; text: string } | Answer> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) {
    return boom(415, 'Unsupported Media Type', 'Unsupported Media Type');
  }
  const form = await new Response(body, { headers: { 'content-type': type } }).formData();
  const file = form.get('file');
  if (!file || typeof file === 'string') {
    return boom(400, 'Bad Request', '[request body.file]: expected value of type [Stream] but got [undefined]');
  }
  return { name: file.name, text: await file.text() };
}

export interface KibanaStandInState {
  level: 'available' | 'degraded' | 'unavailable';
  objects: Map<string, SavedObject>;
}

const key = (type: string, id: string) => `${type}:${id}`;

function asFound(o: SavedObject) {
  return {
    id: o.id,
    type: o.type,
    namespaces: ['default'],
    updated_at: '2026-12-01T00:00:00.000Z',
    created_at: '2026-12-01T00:00:00.000Z',
    version: 'WzEsMV0=',
    attributes: o.attributes,
    references: o.references,
    managed: o.managed ?? false,
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: kibanaLatestVersions[o.type] ?? o.typeMigrationVersion,
  };
}

async function importObjects(state: KibanaStandInState, request: IncomingMessage, body: string): Promise<Answer> {
  const url = new URL(request.url ?? '/', 'http://kibana');
  const overwrite = url.searchParams.get('overwrite') === 'true';
  if (overwrite && url.searchParams.get('createNewCopies') === 'true') {
    return boom(400, 'Bad Request', '[request query]: cannot use [overwrite] with [createNewCopies]');
  }
  const file = await uploadedFile(request, body);
  if ('status' in file) return file;
  const extension = /\.[^.]*$/.exec(file.name)?.[0] ?? '';
  if (extension.toLowerCase() !== '.ndjson') return boom(400, 'Bad Request', `Invalid file extension ${extension}`);
  // routes/utils.ts: blank lines are skipped, a line that is not JSON fails the request, the export summary is dropped.
  const objects: SavedObject[] = [];
  for (const line of file.text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      return boom(400, 'Bad Request', (error as Error).message);
    }
    if (parsed.exportedCount !== undefined) continue;
    objects.push({ references: [], attributes: {}, ...parsed } as unknown as SavedObject);
  }
  const seen = new Set<string>();
  const repeated = objects.map((o) => key(o.type, o.id)).filter((k) => seen.has(k) || !seen.add(k));
  if (repeated.length > 0) {
    return boom(400, 'Bad Request', `Non-unique import objects detected: [${repeated.join(',')}]`);
  }
  const errors: unknown[] = [];
  const meta = (o: SavedObject) => ({ title: titleOf(o), icon: icons[o.type] });
  const supported = objects.filter((o) => {
    if (o.type in kibanaLatestVersions) return true;
    errors.push({ id: o.id, type: o.type, meta: { title: o.attributes?.title }, error: { type: 'unsupported_type' } });
    return false;
  });
  const inFile = new Set(supported.map((o) => key(o.type, o.id)));
  let resolvable = false;
  for (const o of supported) {
    const missing = o.references.filter(
      (r) =>
        checkedReferenceTypes.includes(r.type) &&
        !inFile.has(key(r.type, r.id)) &&
        !state.objects.has(key(r.type, r.id)),
    );
    if (missing.length > 0) {
      resolvable = true;
      errors.push({
        id: o.id,
        type: o.type,
        meta: meta(o),
        error: { type: 'missing_references', references: missing.map((r) => ({ type: r.type, id: r.id })) },
      });
    } else if (!overwrite && state.objects.has(key(o.type, o.id))) {
      resolvable = true;
      errors.push({ id: o.id, type: o.type, meta: meta(o), error: { type: 'conflict' } });
    }
  }
  // create_saved_objects.ts: one resolvable error and nothing is written, yet the answer counts the objects without
  // an error of their own as successes (createdObjects is what would have been created).
  if (resolvable) {
    const failed = new Set(errors.map((e) => key((e as SavedObject).type, (e as SavedObject).id)));
    const wouldBe = supported
      .filter((o) => !failed.has(key(o.type, o.id)))
      .map((o) => ({ type: o.type, id: o.id, meta: meta(o), managed: false }));
    return {
      status: 200,
      body: {
        successCount: wouldBe.length,
        success: false,
        warnings: [],
        ...(wouldBe.length > 0 ? { successResults: wouldBe } : {}),
        errors,
      },
    };
  }
  // DocumentMigrator: a version newer than this Kibana knows fails the whole request.
  for (const o of supported) {
    const latest = kibanaLatestVersions[o.type] as string;
    if (o.coreMigrationVersion !== undefined) {
      if (!isSemver(o.coreMigrationVersion)) {
        return boom(
          422,
          'Unprocessable Entity',
          `Document "${o.id}" has an invalid "coreMigrationVersion" [${o.coreMigrationVersion}]. This must be a semver value.`,
        );
      }
      if (compareVersions(o.coreMigrationVersion, kibanaVersion) > 0) {
        return boom(
          422,
          'Unprocessable Entity',
          `Document "${o.id}" has a "coreMigrationVersion" which belongs to a more recent version of Kibana [${o.coreMigrationVersion}]. The current version is [${kibanaVersion}].`,
        );
      }
    }
    if (o.typeMigrationVersion && compareVersions(o.typeMigrationVersion, latest) > 0) {
      return boom(
        422,
        'Unprocessable Entity',
        `Document "${o.id}" belongs to a more recent version of Kibana [${o.typeMigrationVersion}] when the last known version is [${latest}].`,
      );
    }
  }
  const successResults: unknown[] = [];
  for (const o of supported) {
    const problem = schemaProblem(o);
    if (problem) {
      errors.push({
        id: o.id,
        type: o.type,
        meta: meta(o),
        error: { type: 'unknown', statusCode: 400, error: 'Bad Request', message: problem },
      });
      continue;
    }
    const existed = state.objects.has(key(o.type, o.id));
    state.objects.set(key(o.type, o.id), o);
    successResults.push({
      type: o.type,
      id: o.id,
      meta: meta(o),
      managed: false,
      ...(existed ? { overwrite: true } : {}),
    });
  }
  return {
    status: 200,
    body: {
      successCount: successResults.length,
      success: errors.length === 0,
      warnings: [],
      ...(successResults.length > 0 ? { successResults } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}

function find(state: KibanaStandInState, url: URL): Answer {
  const types = url.searchParams.getAll('type');
  if (types.length === 0)
    return boom(400, 'Bad Request', '[request query.type]: expected at least one defined value but got [undefined]');
  const perPage = Number(url.searchParams.get('per_page') ?? 20);
  const page = Number(url.searchParams.get('page') ?? 1);
  const matching = [...state.objects.values()].filter((o) => types.includes(o.type));
  return {
    status: 200,
    body: {
      page,
      per_page: perPage,
      total: matching.length,
      saved_objects: matching.slice((page - 1) * perPage, page * perPage).map((o) => ({ ...asFound(o), score: 0 })),
    },
  };
}

const notFound = (type: string, id: string) => boom(404, 'Not Found', `Saved object [${type}/${id}] not found`);

/** What a browser is shown: this is no Kibana, and where the real one runs. */
export const standInPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kibana stand-in (local test stack)</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>This is not Kibana</h1>
<p>The workshop kit's local test stack runs real Kafka, Connect, MariaDB, Elasticsearch and ksqlDB, but Kibana cannot
run without Docker. This stand-in answers only the APIs the checks use (status and saved objects), so
<code>npm run solve step-9</code> and <code>npm run check step-9</code> work here; there is no dashboard to look at.</p>
<p>The real Kibana, with the dashboard of step 9, runs on the workshop platform: <code>npm run up</code>, then
<a href="http://127.0.0.1:5601/app/dashboards">http://127.0.0.1:5601/app/dashboards</a>.</p>
</body></html>
`;

/** Kibana 8.19: status, and the saved-objects APIs above. `state` is the test's, to look into or to change. */
export function kibanaStandIn(
  state: KibanaStandInState = { level: 'available', objects: new Map() },
): Promise<StandIn & { state: KibanaStandInState }> {
  return startStandIn(async (request, body) => {
    const url = new URL(request.url ?? '/', 'http://kibana');
    const method = request.method ?? 'GET';
    // A person who opens it in a browser (step 9 on the local stack) learns what it is, not a bare 404.
    if (method === 'GET' && (url.pathname === '/' || url.pathname.startsWith('/app/'))) {
      return { status: 200, body: undefined, html: standInPage };
    }
    if (method === 'GET' && url.pathname === '/api/status') {
      return {
        status: 200,
        body: {
          name: 'kibana',
          version: { number: kibanaVersion },
          status: { overall: { level: state.level, summary: `All services and plugins are ${state.level}` } },
        },
      };
    }
    if (method !== 'GET' && request.headers['kbn-xsrf'] === undefined) {
      return boom(400, 'Bad Request', 'Request must contain a kbn-xsrf header.');
    }
    if (method === 'POST' && url.pathname === '/api/saved_objects/_import') return importObjects(state, request, body);
    if (method === 'GET' && url.pathname === '/api/saved_objects/_find') return find(state, url);
    const dataView = /^\/api\/data_views\/data_view\/([^/]+)$/.exec(url.pathname);
    if (dataView && method === 'DELETE') {
      const id = decodeURIComponent(dataView[1] as string);
      if (!state.objects.delete(key('index-pattern', id))) return notFound('index-pattern', id);
      return { status: 200, body: undefined };
    }
    const single = /^\/api\/saved_objects\/([^/_][^/]*)\/([^/]+)$/.exec(url.pathname);
    if (single) {
      const [type, id] = [decodeURIComponent(single[1] as string), decodeURIComponent(single[2] as string)];
      const found = state.objects.get(key(type, id));
      if (method === 'GET') return found ? { status: 200, body: asFound(found) } : notFound(type, id);
      if (method === 'DELETE') {
        if (!found) return notFound(type, id);
        state.objects.delete(key(type, id));
        return { status: 200, body: {} };
      }
    }
    return undefined;
  }).then((standIn) => ({ ...standIn, state }));
}
