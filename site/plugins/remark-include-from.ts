/**
 * A guide shows a file of the kit with a code fence that names it: ```sql from=steps/04-…/solution/ratings.sql (GitHub
 * shows the fence's language and ignores the rest). On the site the block is titled with that path, and a step's own
 * file (a solution or a query) is shown whole, read at build time: the page is exactly what `npm run solve` applies.
 * An excerpt of another file (datagen's code) is kept as the guide has it; the kit's tests prove it is in that file.
 * A fence's walk=… note (workshop/commands/walkthrough.ts) is not shown.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

interface MdNode {
  type: string;
  value?: string;
  meta?: string | null;
  children?: MdNode[];
}

function visit(node: MdNode): void {
  for (const child of node.children ?? []) visit(child);
  if (node.type !== 'code') return;
  // The walkthrough's notes (walk=skip, walk=background, walk=save:<file>) are for `npm run rehearse -- --guides`.
  node.meta = (node.meta ?? '').replace(/(?:^|\s)walk=\S+/g, '').trim() || null;
  const from = /(?:^|\s)from=(\S+)/.exec(node.meta ?? '');
  if (!from?.[1]) return;
  const file = from[1];
  if (file.startsWith('steps/')) node.value = readFileSync(path.join(repoRoot, file), 'utf8').trimEnd();
  node.meta = `${(node.meta ?? '').replace(from[0], '').trim()} title="${file}"`.trim();
}

export default function remarkIncludeFrom() {
  return (tree: MdNode) => visit(tree);
}
