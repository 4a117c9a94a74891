/**
 * A Kibana dashboard worth opening: it exists under its title, has panels, every panel's visualisation or saved
 * search exists, reads a data view that exists, and names only fields that the data view's indexes have. A wrong
 * field name draws an empty chart without an error; this says which panel and which field.
 */
import {
  adHocPatterns,
  dashboardPanels,
  dataViewIds,
  fieldsUsed,
  patternFields,
  savedObjects,
} from '#checks/clients/kibana-look.js';
import { type ExpectationKind, fail, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface KibanaDashboard {
  title: string;
  minPanels: number;
}

export const kibanaDashboard: ExpectationKind<KibanaDashboard> = {
  kind: 'kibana-dashboard',
  deadlineMs: 15_000,
  parse: (params) => {
    params.only(['title', 'minPanels']);
    return { title: params.string('title'), minPanels: params.number('minPanels', 1) };
  },
  object: ({ title }) => `Kibana dashboard "${title}"`,
  expected: ({ minPanels }) =>
    `at least ${minPanels} panel(s), each showing a visualisation whose data view and fields exist`,
  observe: async ({ title, minPanels }, { services }): Promise<Observation> => {
    const objects = await savedObjects(services, ['dashboard', 'lens', 'search', 'visualization', 'index-pattern']);
    const dashboards = objects.filter((o) => o.type === 'dashboard');
    const dashboard = dashboards.find((d) => d.attributes.title === title);
    if (!dashboard) {
      return fail(
        dashboards.length === 0
          ? 'no dashboards at all'
          : `no dashboard with that title; dashboards: ${dashboards.map((d) => `"${d.attributes.title}"`).join(', ')}`,
        'import the dashboard file (Stack Management → Saved objects → Import)',
      );
    }
    const panels = dashboardPanels(dashboard, objects);
    if (panels.length < minPanels) {
      return fail(`${panels.length} panel(s)`, 'add the visualisations to the dashboard, then save it');
    }
    const checked: string[] = [];
    for (const panel of panels) {
      if ('noData' in panel) continue;
      if ('missing' in panel) {
        return fail(
          `panel "${panel.label}": ${panel.missing}`,
          'import the dashboard file again: it holds every panel',
        );
      }
      const patterns: string[] = [];
      for (const id of dataViewIds(panel.object)) {
        const view = objects.find((o) => o.type === 'index-pattern' && o.id === id);
        if (!view) {
          return fail(
            `panel "${panel.label}" reads data view ${id}, which does not exist`,
            'import the dashboard file again: it holds the data views too',
          );
        }
        patterns.push(String(view.attributes.title));
      }
      // A Lens visualisation can keep its data view inside itself (ad hoc).
      patterns.push(...adHocPatterns(panel.object));
      if (patterns.length === 0) {
        return fail(`panel "${panel.label}" reads no data view`, 'edit the panel and choose a data view');
      }
      for (const pattern of patterns) {
        const found = await patternFields(services, pattern);
        if (!found) {
          return fail(
            `panel "${panel.label}" reads data view "${pattern}", which matches no index`,
            'the indexes come from step 8: npm run check step-8',
          );
        }
        const absent = fieldsUsed(panel.object).filter((field) => !found.fields.has(field));
        if (absent.length > 0) {
          return fail(
            `panel "${panel.label}" uses ${absent.join(', ')}, which ${found.indexes.join(', ')} ${absent.length === 1 ? 'does' : 'do'} not have`,
            'field names are case-sensitive (ksqlDB writes them upper-case), and text is counted on its .keyword sub-field: edit the panel and pick the field from the list',
          );
        }
      }
      checked.push(panel.label);
    }
    return pass(`${panels.length} panels, every field found: ${checked.map((l) => `"${l}"`).join(', ')}`);
  },
};
