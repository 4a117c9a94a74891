/**
 * Where a command differs on Windows, a guide gives it twice: a ```sh block and, right after it, a ```powershell
 * block (GitHub shows both, one under the other). On the site the pair becomes tabs, "macOS / Linux" and
 * "Windows (PowerShell)", in one group, so a learner who picks PowerShell once sees it on every page.
 */

interface MdNode {
  type: string;
  lang?: string | null;
  children?: MdNode[];
  name?: string;
  attributes?: { type: 'mdxJsxAttribute'; name: string; value: string }[];
}

const attribute = (name: string, value: string) => ({ type: 'mdxJsxAttribute' as const, name, value });

function tabItem(value: string, label: string, code: MdNode): MdNode {
  return {
    type: 'mdxJsxFlowElement',
    name: 'TabItem',
    attributes: [attribute('value', value), attribute('label', label)],
    children: [code],
  };
}

function visit(node: MdNode): void {
  const children = node.children;
  if (!children) return;
  for (let i = 0; i < children.length; i++) {
    const here = children[i] as MdNode;
    const next = children[i + 1];
    if (here.type === 'code' && here.lang === 'sh' && next?.type === 'code' && next.lang === 'powershell') {
      children.splice(i, 2, {
        type: 'mdxJsxFlowElement',
        name: 'Tabs',
        attributes: [attribute('groupId', 'operating-system'), attribute('className', 'shell-variants')],
        children: [tabItem('sh', 'macOS / Linux', here), tabItem('powershell', 'Windows (PowerShell)', next)],
      });
    } else {
      visit(here);
    }
  }
}

export default function remarkShellVariants() {
  return (tree: MdNode) => visit(tree);
}
