// Compiles every process of the suite to one JavaScript file each (`<package>/dist/main.mjs`),
// so `npm start`, the image and the end-to-end tests run JavaScript, not TypeScript compiled at
// each start by tsx. esbuild bundles our own workspace packages (their package.json points at
// TypeScript sources) and leaves every npm dependency to Node's resolution, native addons
// (argon2) included. Type-checking stays with tsc (`npm run typecheck`); esbuild only strips types.
//
// A build is skipped while no source changed since the last one: the stamp records the newest
// modification time and the number of the files that go in.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './bootstrap.mjs';

/** Every entry point we ship: a process of the suite, the CLI, the migration runner, the stand-ins. */
export const ENTRIES = Object.freeze([
  { dir: 'gateway', entry: 'src/main.ts' },
  { dir: 'services/identity', entry: 'src/main.ts' },
  { dir: 'services/verification', entry: 'src/main.ts' },
  { dir: 'services/federation', entry: 'src/main.ts' },
  { dir: 'services/token', entry: 'src/main.ts' },
  { dir: 'services/notification', entry: 'src/main.ts' },
  // The CLI runs once per call: only what it uses is bundled (see treeShake below).
  { dir: 'tools/authctl', entry: 'src/main.ts', treeShake: true },
  { dir: 'packages/stand-ins', entry: 'src/main.ts' },
  { dir: 'packages/db', entry: 'src/cli.ts' },
]);

/** Where an entry's bundle lands: `dist/` beside `src/`, so paths relative to a module still hold. */
export function outputOf(entry) {
  return join(ROOT, entry.dir, 'dist', entry.entry.replace(/^src\//, '').replace(/\.ts$/, '.mjs'));
}

const SOURCE_ROOTS = ['gateway', 'services', 'packages', 'tools'];
const STAMP = join(ROOT, 'node_modules', '.propusk-build');

/** Newest mtime and count of the files a bundle is made of (sources and package manifests). */
function sourceState() {
  let newest = 0;
  let count = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name === 'test' || name.startsWith('.')) continue;
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|js|json)$/.test(name)) {
        newest = Math.max(newest, st.mtimeMs);
        count++;
      }
    }
  };
  for (const root of SOURCE_ROOTS) walk(join(ROOT, root));
  // The bundles point into node_modules/.pnpm by version: a changed lockfile moves them.
  const lock = statSync(join(ROOT, 'pnpm-lock.yaml'), { throwIfNoEntry: false });
  return `${newest}:${count}:${lock?.mtimeMs ?? 0}`;
}

function readStamp() {
  try {
    return readFileSync(STAMP, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Bundles our own sources (`@propusk/*` packages included: their package.json points at
 * TypeScript); every npm dependency stays outside, loaded by Node at run time. pnpm gives each
 * package only its own dependencies, so a bundle in services/identity/dist could not find what
 * kit depends on by name: each import is resolved here, from the file that makes it, and
 * written as a path relative to the bundle. With `treeShake`, no module counts as having side
 * effects (none of ours, nor any dependency, is imported for them alone), so one whose exports
 * go unused is left out: the CLI then loads no Fastify through kit's index.
 */
function workspaceModules(outDir, treeShake) {
  return {
    name: 'workspace-modules',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.resolving || args.kind === 'entry-point') return undefined;
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { resolving: true },
        });
        const pure = treeShake ? { sideEffects: false } : {};
        if (found.errors.length > 0 || found.external) return { path: args.path, external: true, ...pure };
        if (found.path.includes(`${sep}node_modules${sep}`)) {
          const rel = relative(outDir, found.path);
          return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true, ...pure };
        }
        return { path: found.path, ...pure };
      });
    },
  };
}

/**
 * Each bundled module keeps its own `import.meta.url`: the migration runner finds
 * packages/db/prisma/migrations, and the Prisma client its directory, beside their sources, not
 * beside the bundle. The entry module keeps the bundle's own (its `isEntryPoint` check compares
 * it with the started file).
 */
function sourceUrls(entryPath) {
  return {
    name: 'source-urls',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`) || args.path === entryPath) return undefined;
        const source = await readFile(args.path, 'utf8');
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

// ESM output still meets CommonJS-style code in a few bundled files (the generated Prisma
// client sets __dirname); these give them what Node's CommonJS loader would.
const BANNER = [
  "import { createRequire as __propuskCreateRequire } from 'node:module';",
  'const require = __propuskCreateRequire(import.meta.url);',
].join('\n');

/** Builds every entry when a source changed since the last build (or always, with force). */
export async function buildAll({ force = false, log = () => {} } = {}) {
  const state = sourceState();
  if (!force && readStamp() === state) return false;
  const { build } = await import('esbuild');
  const started = Date.now();
  await Promise.all(
    ENTRIES.map(async (entry) => {
      const out = outputOf(entry);
      mkdirSync(join(out, '..'), { recursive: true });
      // Written aside, then renamed: a process starting meanwhile reads the old file or the new.
      const tmp = `${out}.${process.pid}.tmp`;
      const entryPath = join(ROOT, entry.dir, entry.entry);
      await build({
        entryPoints: [entryPath],
        outfile: tmp,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'inline',
        logLevel: 'warning',
        banner: { js: BANNER },
        // No bundler-only `module` condition: dependencies load as Node would load them.
        conditions: [],
        plugins: [workspaceModules(dirname(out), entry.treeShake === true), sourceUrls(entryPath)],
      });
      renameSync(tmp, out);
    }),
  );
  writeFileSync(STAMP, state);
  log(
    `compiled ${ENTRIES.length} entry points in ${Date.now() - started} ms (${ENTRIES.map((e) => relative(ROOT, outputOf(e))).join(', ')})`,
  );
  return true;
}
