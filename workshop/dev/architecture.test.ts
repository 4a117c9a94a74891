/**
 * ARCHITECTURE.md's rule, kept true: nothing imports a floor above its own, and no files import each other in a
 * circle. The checker is shown to catch both on planted imports, so a pass means something.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '#core/state-dir.js';
import { circles, floors, type Import, importGraph, importsOf, upwardImports } from './testing/imports.js';

const graph = importGraph(repoRoot);
const shown = (i: Import) => `${i.from}:${i.line} imports ${i.to}`;

describe('the floors (ARCHITECTURE.md)', () => {
  it('reads the imports of every floor', () => {
    for (const floor of floors) expect(graph.some((i) => i.from.startsWith(`${floor}/`))).toBe(true);
    // A resolved import names a file that exists: the reader follows #core/… and ./… as Node and tsc do.
    expect(graph.filter((i) => !existsSync(path.join(repoRoot, i.to))).map(shown)).toEqual([]);
  });

  it('has no import of a floor above (a test may use workshop/dev/, the harness)', () => {
    expect(upwardImports(graph).map(shown)).toEqual([]);
  });

  it('has no circle of imports, type-only and import() included', () => {
    expect(circles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('climbs no folder with ../: imports across folders go through package.json "imports"', () => {
    const climbing = graph
      .filter((i) => !i.from.startsWith('site/'))
      .filter((i) => {
        const text = readFileSync(path.join(repoRoot, i.from), 'utf8').split('\n')[i.line - 1] ?? '';
        return text.includes("'../");
      });
    expect(climbing.map(shown)).toEqual([]);
  });

  it('names every folder of the floors in ARCHITECTURE.md', () => {
    const page = readFileSync(path.join(repoRoot, 'ARCHITECTURE.md'), 'utf8');
    const folders = new Set(graph.map((i) => path.posix.dirname(i.from)).filter((d) => !d.startsWith('site')));
    const missing = [...folders].filter((d) => !page.includes(`${d}/`) && !page.includes(`\`${d}\``));
    expect(missing).toEqual([]);
  });
});

describe('the import checker', () => {
  const planted = (from: string, text: string) => importsOf(repoRoot, from, text);

  it('catches an upward import, a static one of the developers’ corner, and allows what the rule allows', () => {
    const imports = [
      ...planted('core/errors.ts', "import { Step } from '#checks/course.js';"),
      ...planted('checks/engine.ts', "import type { StackContext } from '#workshop/dev/testing/stack-context.js';"),
      ...planted('workshop/commands/check.ts', "import { x } from '#workshop/dev/stack/local-stack.js';"),
      ...planted('checks/engine.test.ts', "import { x } from '#workshop/dev/testing/fixtures.js';"),
      ...planted('workshop/commands.ts', "const m = () => import('#workshop/dev/bench/bench-command.js');"),
      ...planted('checks/engine.ts', "import { kinds } from './kinds/index.js';"),
    ];
    expect(upwardImports(imports).map((i) => `${i.from} → ${i.to}`)).toEqual([
      'core/errors.ts → checks/course.ts',
      'checks/engine.ts → workshop/dev/testing/stack-context.ts',
      'workshop/commands/check.ts → workshop/dev/stack/local-stack.ts',
    ]);
  });

  it('catches a circle, however long, and a type-only one', () => {
    const imports = [
      ...planted('checks/course.ts', "import { runStep } from './engine.js';"),
      ...planted('checks/engine.ts', "import type { Report } from './report.js';"),
      ...planted('checks/report.ts', "export { loadCourse } from './course.js';"),
      ...planted('core/wait.ts', "import { x } from './errors.js';"),
    ];
    expect(circles(imports)).toEqual([['checks/course.ts', 'checks/engine.ts', 'checks/report.ts']]);
    expect(imports.find((i) => i.from === 'checks/engine.ts')?.typeOnly).toBe(true);
  });
});
