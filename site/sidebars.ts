/** The course's sidebar, in steps/course.yaml's order. */
import type { SidebarsConfig } from '@docusaurus/plugin-content-docs';
import { readCourse } from './course-data';

const sidebars: SidebarsConfig = {
  course: readCourse().map((step) => ({ type: 'doc', id: step.docId, label: `${step.number}. ${step.title}` })),
};

export default sidebars;
