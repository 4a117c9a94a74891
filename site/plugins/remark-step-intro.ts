/**
 * On a step page the title comes first, then what the step builds: this plugin puts a <StepIntro /> (the pipeline
 * diagram with the step's part marked, and the ideas from the talk it puts to work) right after the guide's first
 * heading. The guide stays plain Markdown, as GitHub shows it; the component reads the step from the page it is on.
 */
interface MdNode {
  type: string;
  depth?: number;
  name?: string;
  attributes?: unknown[];
  children?: MdNode[];
}

export default function remarkStepIntro() {
  return (tree: MdNode) => {
    const children = tree.children ?? [];
    const title = children.findIndex((node) => node.type === 'heading' && node.depth === 1);
    if (title < 0) return;
    children.splice(title + 1, 0, { type: 'mdxJsxFlowElement', name: 'StepIntro', attributes: [], children: [] });
  };
}
