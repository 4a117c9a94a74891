/** The course's sidebar, in steps/course.yaml's order: the core steps, the optional ones under "Going further", and
 * the closing page. */
import type { SidebarsConfig } from '@docusaurus/plugin-content-docs';
import { readCourse, type SiteStep } from './course-data';

const item = (step: SiteStep) => ({ type: 'doc' as const, id: step.docId, label: `${step.number}. ${step.title}` });
// The sidebar lists each step once, by its ksqlDB page; a Flink SQL page shows the same sidebar (docusaurus.config.ts).
const steps = readCourse().filter((step) => step.engine === 'ksqldb');

const sidebars: SidebarsConfig = {
  course: [
    ...steps.filter((step) => !step.optional).map(item),
    {
      type: 'category',
      label: 'Going further',
      collapsible: true,
      collapsed: false,
      items: steps.filter((step) => step.optional).map(item),
    },
    { type: 'doc', id: 'what-next', label: 'What next' },
  ],
};

export default sidebars;
