/** The course's sidebar, in steps/course.yaml's order, and the closing page. */
import type { SidebarsConfig } from '@docusaurus/plugin-content-docs';
import { readCourse } from './course-data';

const sidebars: SidebarsConfig = {
  course: [
    ...readCourse().map((step) => ({ type: 'doc' as const, id: step.docId, label: `${step.number}. ${step.title}` })),
    { type: 'doc', id: 'what-next', label: 'What next' },
  ],
};

export default sidebars;
