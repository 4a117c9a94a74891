/**
 * Kibana saved objects from an NDJSON file: solve imports them (POST /api/saved_objects/_import?overwrite=true, so a
 * learner's changes to the same objects are replaced); reset deletes each object of the file. Data views are deleted
 * through the data views API; the rest through the saved-objects API (deprecated since 8.7 for external use, and the
 * only one Kibana 8.19 has for lens, search and dashboard objects).
 */
import { readFileSync } from 'node:fs';
import type { Services } from '#checks/clients/services.js';
import { WorkshopError } from '#core/errors.js';
import { type ResourceKind, shown, stepFile } from './resource.js';

interface FileObject {
  type: string;
  id: string;
  title: string;
}

/** The objects of a saved-objects file, without the export summary line. */
export function objectsOfFile(file: string): FileObject[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type?: string; id?: string; attributes?: { title?: string; name?: string } })
    .filter((o) => o.type !== undefined && o.id !== undefined)
    .map((o) => ({
      type: o.type as string,
      id: o.id as string,
      title: o.attributes?.name ?? o.attributes?.title ?? '',
    }));
}

interface ImportAnswer {
  success?: boolean;
  successCount?: number;
  errors?: {
    id: string;
    type: string;
    error: { type: string; message?: string; references?: { type: string; id: string }[] };
  }[];
  message?: string;
}

export async function importSavedObjects(services: Services, file: string, shown: string): Promise<string[]> {
  const name = file.split(/[\\/]/).pop() ?? 'objects.ndjson';
  const answer = await services.kibanaImport<ImportAnswer>(
    '/api/saved_objects/_import?overwrite=true',
    name,
    readFileSync(file, 'utf8'),
  );
  if (answer.status !== 200) {
    throw new WorkshopError(
      `Kibana refused ${shown} (HTTP ${answer.status}): ${answer.body?.message ?? JSON.stringify(answer.body)}`,
      'the file must be saved objects as Kibana 8.19 exports them; npm run logs -- kibana says more',
    );
  }
  const errors = answer.body.errors ?? [];
  if (errors.length > 0) {
    const each = errors.map((e) => {
      const detail =
        e.error.type === 'missing_references'
          ? `missing ${(e.error.references ?? []).map((r) => `${r.type} ${r.id}`).join(', ')}`
          : (e.error.message ?? e.error.type);
      return `${e.type} "${e.id}": ${detail}`;
    });
    // A missing reference or a conflict stops Kibana writing anything, though it still counts the other objects.
    const nothing = errors.some((e) => ['missing_references', 'conflict', 'ambiguous_conflict'].includes(e.error.type));
    throw new WorkshopError(
      nothing
        ? `Kibana imported nothing from ${shown}: ${each.join('; ')}`
        : `Kibana imported ${answer.body.successCount ?? 0} of the objects in ${shown} and refused ${errors.length}: ${each.join('; ')}`,
      'fix the objects it names in the file, then run the same command again',
    );
  }
  const types = new Map<string, number>();
  for (const o of objectsOfFile(file)) types.set(o.type, (types.get(o.type) ?? 0) + 1);
  const counted = [...types].map(([type, n]) => `${n} ${type}`).join(', ');
  return [
    `Kibana: imported ${answer.body.successCount} saved objects from ${shown} (${counted}), replacing any of the same id`,
  ];
}

export async function removeSavedObjects(services: Services, file: string): Promise<string[]> {
  const done: string[] = [];
  // Last in the file first: the dashboard before what it shows.
  for (const o of objectsOfFile(file).reverse()) {
    const path =
      o.type === 'index-pattern'
        ? `/api/data_views/data_view/${encodeURIComponent(o.id)}`
        : `/api/saved_objects/${encodeURIComponent(o.type)}/${encodeURIComponent(o.id)}`;
    const answer = await services.kibana<{ message?: string }>(path, { method: 'DELETE' });
    if (answer.status === 404) continue;
    if (answer.status >= 300) {
      throw new WorkshopError(
        `Kibana did not delete ${o.type} "${o.id}" (HTTP ${answer.status}): ${answer.body?.message ?? ''}`,
        'see npm run logs -- kibana, then run the same reset again',
      );
    }
    done.push(`Kibana ${o.type === 'index-pattern' ? 'data view' : o.type} "${o.title || o.id}" deleted`);
  }
  return done;
}

/** Kibana saved objects (data views, visualisations, dashboards) in an NDJSON file, as Kibana exports them. */
export interface SavedObjectsResource {
  kind: 'kibana-saved-objects';
  file: string;
}

export const kibanaSavedObjectsResource: ResourceKind<SavedObjectsResource> = {
  kind: 'kibana-saved-objects',
  fields: ['file'],
  parse: (params, where, folder) => ({ file: stepFile(params, 'file', where, folder) }),
  describe: (resource) =>
    `Kibana saved objects of ${shown(resource.file)}: ${objectsOfFile(resource.file)
      .map((o) => `${o.type} "${o.title || o.id}"`)
      .join(', ')}`,
  apply: (services, resource) => importSavedObjects(services, resource.file, shown(resource.file)),
  remove: (services, resource) => removeSavedObjects(services, resource.file),
};
