/**
 * A Kibana data view for an index pattern: it exists, its time field is set, the pattern matches an index that holds
 * documents, and the time field is a date there (Kibana's time picker filters on it; a long cannot be filtered).
 */
import { patternCount, patternFields, patternMatches, savedObjects } from '#checks/clients/kibana-look.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface KibanaDataView {
  pattern: string;
  timeField: string;
}

export const kibanaDataView: ExpectationKind<KibanaDataView> = {
  kind: 'kibana-data-view',
  deadlineMs: 15_000,
  parse: (params) => {
    params.only(['pattern', 'timeField']);
    return { pattern: params.string('pattern'), timeField: params.string('timeField') };
  },
  object: ({ pattern }) => `Kibana data view "${pattern}"`,
  expected: ({ timeField }) => `time field ${timeField}, on an index with documents where ${timeField} is a date`,
  observe: async ({ pattern, timeField }, { services }): Promise<Observation> => {
    const views = await savedObjects(services, ['index-pattern']);
    // Kibana's form adds a trailing * as you type: a data view whose pattern takes in the index counts.
    const matching = views
      .filter((v) => patternMatches(String(v.attributes.title), pattern))
      .sort((a, b) => Number(b.attributes.title === pattern) - Number(a.attributes.title === pattern));
    if (matching.length === 0) {
      const others = views.map((v) => `"${v.attributes.title}"`);
      return fail(
        views.length === 0
          ? 'no data views at all'
          : `no data view whose pattern takes in ${pattern}; data views: ${others.join(', ')}`,
        `import the dashboard file (Stack Management → Saved objects → Import), or create a data view with the index pattern ${pattern} in Kibana`,
      );
    }
    const view = matching.find((v) => v.attributes.timeFieldName === timeField) ?? matching[0];
    const name = `"${view?.attributes.name ?? pattern}" (id ${view?.id})`;
    const set = view?.attributes.timeFieldName;
    if (set !== timeField) {
      return fail(
        set ? `${name} has time field ${set}` : `${name} has no time field, so the time picker cannot filter it`,
        `edit the data view (Stack Management → Data views) and make ${timeField} its timestamp field`,
      );
    }
    const title = String(view?.attributes.title ?? pattern);
    const found = await patternFields(services, title);
    if (!found) {
      return fail(
        `${name}: the pattern matches no index`,
        'the index is made by step 8’s sink: npm run check step-8, and check the pattern’s spelling',
      );
    }
    const count = await patternCount(services, title);
    if (count === 0) return notYet(`${name}: ${found.indexes.join(', ')} holds no documents yet`);
    const type = found.fields.get(timeField);
    if (type !== 'date') {
      return fail(
        `${name}: ${timeField} is ${type ? `mapped as ${type}` : 'not a field'} in ${found.indexes.join(', ')}`,
        type
          ? 'the index was made before the index template: npm run solve step-8 replaces it with one that maps dates'
          : `the documents have no ${timeField}: check step 8`,
      );
    }
    return pass(`${name}: ${count} documents in ${found.indexes.join(', ')}, ${timeField} a date`);
  },
};
