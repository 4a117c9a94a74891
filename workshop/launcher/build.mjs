/**
 * Builds the kit's TypeScript into plain JavaScript in .build/ (git-ignored), so a command starts as fast as Node
 * does instead of compiling at every start. `npm install` runs it (the `prepare` script); the launcher runs it again
 * when a source changed since. Plain JavaScript on purpose: it runs before any TypeScript tooling.
 *
 * esbuild bundles the kit's own modules and leaves every package in node_modules to Node. Each command's module is
 * imported dynamically (workshop/commands.ts), so it becomes a chunk of its own, loaded only by that command.
 * A module that finds a file of the repository from its own place (`new URL('../steps/', import.meta.url)`) would
 * find it from .build/ instead: import.meta.url is rewritten, per module, to the URL of its source file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const buildDir = path.join(repoRoot, '.build');
/** Which build is current: its folder and the sources it was made from. */
const currentFile = path.join(buildDir, 'current.json');
/**
 * Builds older than this that are not current are removed. A command still running may import a chunk of its build
 * later (each command's module is loaded when it runs), and a --watch or a background app runs for hours.
 */
const keepOldBuildsMs = 24 * 60 * 60_000;

/**
 * Reads each of the kit's sources for esbuild, noting its size and time from before it was read: a file saved while
 * the build runs then differs from what was noted, and the next command builds again. Puts each source file's URL in
 * place of import.meta.url.
 */
function kitSources(seen) {
  return {
    name: 'kit-sources',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const stat = statSync(args.path);
        seen.push([path.relative(repoRoot, args.path), stat.size, stat.mtimeMs]);
        const source = readFileSync(args.path, 'utf8');
        const own = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: source.replaceAll('import.meta.url', own), loader: 'ts' };
      });
    },
  };
}

/**
 * Builds into a folder of its own named after its sources, then points current.json at it (written whole, by a
 * rename). A command already running keeps its folder, so a later import of one of its chunks still finds it.
 */
export async function buildKit() {
  const { build } = await import('esbuild');
  mkdirSync(buildDir, { recursive: true });
  const staging = path.join(buildDir, `tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const seen = [];
  try {
    await build({
      absWorkingDir: repoRoot,
      entryPoints: { cli: 'workshop/cli.ts' },
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'silent',
      plugins: [kitSources(seen)],
    });
    const inputs = seen.sort((a, b) => a[0].localeCompare(b[0]));
    // The build holds this folder's absolute paths: a moved or copied checkout builds its own.
    const key = JSON.stringify({ repoRoot, inputs });
    const name = `build-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
    const target = path.join(buildDir, name);
    if (!existsSync(target)) {
      try {
        renameSync(staging, target);
      } catch (error) {
        // Another command built the same sources at the same moment: its build will do.
        if (!existsSync(path.join(target, 'cli.mjs'))) throw error;
      }
    }
    const pointer = path.join(buildDir, `current-${process.pid}.json`);
    writeFileSync(pointer, JSON.stringify({ repoRoot, dir: name, inputs }));
    renameSync(pointer, currentFile);
    removeOldBuilds(name);
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function removeOldBuilds(current) {
  for (const entry of readdirSync(buildDir)) {
    if (entry === current || !entry.startsWith('build-')) continue;
    const dir = path.join(buildDir, entry);
    if (Date.now() - statSync(dir).mtimeMs > keepOldBuildsMs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The entry of the current build when it was made from the sources as they are now; otherwise undefined. */
export function freshBuildEntry() {
  let current;
  try {
    current = JSON.parse(readFileSync(currentFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (current.repoRoot !== repoRoot) return undefined;
  for (const [file, size, mtimeMs] of current.inputs) {
    try {
      const stat = statSync(path.join(repoRoot, file));
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  const entry = path.join(buildDir, current.dir, 'cli.mjs');
  return existsSync(entry) ? entry : undefined;
}

// Run by npm install (the prepare script). A build that fails must not fail the install: the launcher builds again
// at the first command, and runs the sources through tsx if it still cannot.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  try {
    await buildKit();
    process.stderr.write(`built the kit into .build/ in ${Math.round(performance.now() - started)} ms\n`);
  } catch (error) {
    process.stderr.write(`the kit was not built (${error.message}); its commands will run from the sources\n`);
  }
}
