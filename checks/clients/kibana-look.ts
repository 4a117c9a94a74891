/**
 * Looking at Kibana's saved objects the way a dashboard uses them: dashboards, their panels (saved visualisations and
 * searches, or visualisations saved inside the dashboard), the data views those read, and the fields they name, which
 * must exist in the indexes the data views match. Reads with the saved-objects _find API; the fields come from
 * Elasticsearch's mappings.
 */
import { EnvironmentError } from '#core/errors.js';
import { unexpected as elasticsearchAnswer, type FieldMapping } from './elasticsearch-look.js';
import type { Services } from './services.js';

export interface KibanaObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { id: string; type: string; name: string }[];
}

function unexpected(status: number, call: string, body: unknown): EnvironmentError {
  const message = (body as { message?: string } | undefined)?.message;
  return new EnvironmentError(
    `Kibana answered ${call} with HTTP ${status}${message ? `: ${message}` : ''}`,
    'see npm run logs -- kibana',
  );
}

/** Every saved object of the given types (GET /api/saved_objects/_find, page by page). */
export async function savedObjects(services: Services, types: string[]): Promise<KibanaObject[]> {
  const all: KibanaObject[] = [];
  const perPage = 1000;
  for (let page = 1; ; page += 1) {
    const query = `${types.map((t) => `type=${encodeURIComponent(t)}`).join('&')}&per_page=${perPage}&page=${page}`;
    const answer = await services.kibana<{ total: number; saved_objects: KibanaObject[] }>(
      `/api/saved_objects/_find?${query}`,
    );
    if (answer.status !== 200) throw unexpected(answer.status, 'GET /api/saved_objects/_find', answer.body);
    all.push(...answer.body.saved_objects.map((o) => ({ ...o, references: o.references ?? [] })));
    if (all.length >= answer.body.total || answer.body.saved_objects.length === 0) return all;
  }
}

/** A dashboard panel as the dashboard stores it in panelsJSON. */
interface Panel {
  type?: string;
  panelIndex?: string;
  panelRefName?: string;
  title?: string;
  embeddableConfig?: { attributes?: Record<string, unknown>; title?: string };
}

/** A panel resolved: the object it shows (saved on its own, or inside the dashboard), or why it cannot be found. */
export type ResolvedPanel =
  | { label: string; object: KibanaObject }
  | { label: string; missing: string }
  | { label: string; noData: true };

export function dashboardPanels(dashboard: KibanaObject, objects: KibanaObject[]): ResolvedPanel[] {
  let panels: Panel[];
  try {
    panels = JSON.parse(String(dashboard.attributes.panelsJSON ?? '[]')) as Panel[];
  } catch {
    return [{ label: 'panelsJSON', missing: 'panelsJSON is not JSON' }];
  }
  return panels.map((panel, i) => {
    const index = panel.panelIndex ?? String(i);
    const label = panel.title ?? panel.embeddableConfig?.title ?? `panel ${i + 1}`;
    // Panels that show no data (markdown, links, an image; a legacy visualisation saved by value) name no fields.
    if (!panel.embeddableConfig?.attributes && !panel.panelRefName) return { label, noData: true };
    // By value: the visualisation lives in the panel; its references are the dashboard's, prefixed "<panelIndex>:".
    if (panel.embeddableConfig?.attributes) {
      const prefix = `${index}:`;
      return {
        label,
        object: {
          id: `${dashboard.id}/${index}`,
          type: panel.type ?? 'lens',
          attributes: panel.embeddableConfig.attributes,
          references: dashboard.references
            .filter((r) => r.name.startsWith(prefix))
            .map((r) => ({ ...r, name: r.name.slice(prefix.length) })),
        },
      };
    }
    // By reference: the dashboard's reference "<panelIndex>:<panelRefName>" (8.x), or "<panelRefName>" (7.x).
    const reference = dashboard.references.find(
      (r) => r.name === `${index}:${panel.panelRefName}` || r.name === panel.panelRefName,
    );
    if (!reference)
      return { label, missing: `its reference ${panel.panelRefName ?? '(none)'} is not in the dashboard` };
    const object = objects.find((o) => o.type === reference.type && o.id === reference.id);
    if (!object) return { label, missing: `it shows ${reference.type} "${reference.id}", which does not exist` };
    return { label: String(object.attributes.title ?? label), object };
  });
}

/** The data views an object reads (references of type index-pattern). */
export const dataViewIds = (o: KibanaObject): string[] =>
  o.references.filter((r) => r.type === 'index-pattern').map((r) => r.id);

/** The index patterns of data views a Lens visualisation keeps inside itself (ad hoc, not saved). */
export function adHocPatterns(o: KibanaObject): string[] {
  const state = o.attributes.state as { adHocDataViews?: Record<string, { title?: string }> } | undefined;
  return Object.values(state?.adHocDataViews ?? {})
    .map((view) => view.title)
    .filter((title): title is string => typeof title === 'string');
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Whether a data view's index pattern (comma-separated, * wildcards, a leading - excludes) takes in an index. */
export function patternMatches(pattern: string, index: string): boolean {
  const glob = (p: string) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`);
  const parts = pattern.split(',').map((p) => p.trim());
  return (
    parts.some((p) => !p.startsWith('-') && glob(p).test(index)) &&
    !parts.some((p) => p.startsWith('-') && glob(p.slice(1)).test(index))
  );
}

/** The fields a visualisation or a saved search names: Lens columns' source fields, a search's columns and sort. */
export function fieldsUsed(o: KibanaObject): string[] {
  const fields = new Set<string>();
  if (o.type === 'lens') {
    const state = o.attributes.state as
      | { datasourceStates?: Record<string, { layers?: Record<string, { columns?: Record<string, unknown> }> }> }
      | undefined;
    for (const datasource of Object.values(state?.datasourceStates ?? {})) {
      for (const layer of Object.values(datasource.layers ?? {})) {
        for (const column of Object.values(layer.columns ?? {})) {
          const field = (column as { sourceField?: string }).sourceField;
          if (field && field !== '___records___') fields.add(field);
        }
      }
    }
  }
  if (o.type === 'search') {
    for (const column of (o.attributes.columns as string[] | undefined) ?? []) {
      if (column !== '_source') fields.add(column);
    }
    const sort = (o.attributes.sort as unknown[] | undefined) ?? [];
    for (const entry of sort) if (Array.isArray(entry) && typeof entry[0] === 'string') fields.add(entry[0]);
  }
  return [...fields];
}

/** The fields of every index a pattern matches, with their types (sub-fields as "NAME.keyword"); undefined if none. */
export async function patternFields(
  services: Services,
  pattern: string,
): Promise<{ indexes: string[]; fields: Map<string, string> } | undefined> {
  const answer = await services.elasticsearch<
    Record<string, { mappings?: { properties?: Record<string, FieldMapping> } }>
  >(`/${encodeURIComponent(pattern)}/_mapping?allow_no_indices=false`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw elasticsearchAnswer(answer.status, `GET /${pattern}/_mapping`, answer.body);
  const indexes = Object.keys(answer.body ?? {});
  if (indexes.length === 0) return undefined;
  const fields = new Map<string, string>();
  const walk = (properties: Record<string, FieldMapping> | undefined, prefix: string) => {
    for (const [name, mapping] of Object.entries(properties ?? {})) {
      const path = `${prefix}${name}`;
      if (mapping.type) fields.set(path, mapping.type);
      walk(mapping.properties, `${path}.`);
      walk(mapping.fields, `${path}.`);
    }
  };
  for (const index of Object.values(answer.body)) walk(index.mappings?.properties, '');
  return { indexes, fields };
}

/** How many documents the indexes of a pattern hold. */
export async function patternCount(services: Services, pattern: string): Promise<number> {
  const answer = await services.elasticsearch<{ count: number }>(`/${encodeURIComponent(pattern)}/_count`);
  if (answer.status === 404) return 0;
  if (answer.status !== 200) throw elasticsearchAnswer(answer.status, `GET /${pattern}/_count`, answer.body);
  return answer.body.count;
}
