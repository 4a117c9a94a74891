/**
 * The kit's import graph, read with the TypeScript compiler's parser (no type checking, no new dependency): every
 * `import`, `export … from` and `import()` of every source file, resolved to the file it names. ARCHITECTURE.md's
 * rules are checked on it by workshop/dev/architecture.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The floors, lowest first: a file may import from its own floor and the ones below, never from one above. */
export const floors = ['core', 'datagen', 'checks', 'workshop', 'site'] as const;
/** steps/ is the course's data; its own test reads the course through checks/. */
const floorOfFolder: Record<string, number> = { core: 0, datagen: 1, checks: 2, workshop: 3, site: 4, steps: 4 };

export interface Import {
  from: string;
  to: string;
  /** `import type …`, or every name imported is a type: erased, so it runs nothing. */
  typeOnly: boolean;
  /** `import(…)`: loaded when the code runs, not when the file is loaded. */
  dynamic: boolean;
  line: number;
}

const sourceFolders = Object.keys(floorOfFolder);
const skipped = new Set(['node_modules', 'build', '.docusaurus', 'static']);

/** Every source file of the kit's floors, relative to the repository, with `/` separators. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) walk(rel);
      } else if (/\.(ts|tsx|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(rel);
      }
    }
  };
  for (const folder of sourceFolders) if (existsSync(path.join(root, folder))) walk(folder);
  return files.sort();
}

/** The floor a file stands on, by its top folder; undefined outside the floors. */
export function floorOf(file: string): number | undefined {
  return floorOfFolder[file.split('/')[0] ?? ''];
}

export const isTest = (file: string) => /\.test\.tsx?$/.test(file);
/** What only kit developers run: the local stack, the benchmarks and the test harness. */
export const isDev = (file: string) => file.startsWith('workshop/dev/');

/** Resolves a specifier written in `from` to a file of the repository, or undefined for a package. */
function resolve(root: string, from: string, specifier: string): string | undefined {
  let target: string;
  if (specifier.startsWith('#')) target = specifier.slice(1);
  else if (specifier.startsWith('.'))
    target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return undefined;
  const stem = target.replace(/\.(js|mjs|ts|tsx)$/, '');
  const candidates = [target, `${stem}.ts`, `${stem}.tsx`, `${stem}.mjs`, `${stem}/index.ts`, `${stem}/index.tsx`];
  return candidates.find((c) => existsSync(path.join(root, c))) ?? target;
}

/** The imports of one file's text. */
export function importsOf(root: string, file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean, node: ts.Node) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolve(root, file, specifier.text);
    if (!to) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ from: file, to, typeOnly, dynamic, line });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const everyNameIsAType =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || everyNameIsAType, false, node);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const everyNameIsAType =
        named !== undefined && ts.isNamedExports(named) && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || everyNameIsAType, false, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true, false, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function importGraph(root: string, files = sourceFiles(root)): Import[] {
  return files.flatMap((file) => importsOf(root, file, readFileSync(path.join(root, file), 'utf8')));
}

/**
 * Imports that break the floors: an import of a higher floor; or, outside the developers' corner, a static import of
 * it (a test may use the harness, and the command list may load a developer's command when it is run).
 */
export function upwardImports(imports: Import[]): Import[] {
  return imports.filter((i) => {
    const [from, to] = [floorOf(i.from), floorOf(i.to)];
    if (from === undefined || to === undefined) return false;
    if (isDev(i.to) && !isDev(i.from)) return !(isTest(i.from) || (i.dynamic && from === floorOfFolder.workshop));
    return to > from;
  });
}

/**
 * Circles among the imports, each as the files around it, starting from its first file in sort order. Every import
 * counts, type-only and `import()` too: a circle of types is still two files that cannot be understood apart.
 */
export function circles(imports: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const i of imports) next.set(i.from, [...(next.get(i.from) ?? []), i.to]);
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') {
        const circle = stack.slice(stack.indexOf(to));
        const start = circle.indexOf([...circle].sort()[0] as string);
        const rotated = [...circle.slice(start), ...circle.slice(0, start)];
        found.set(rotated.join(' → '), rotated);
      } else if (!state.has(to)) {
        visit(to);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found.values()];
}
