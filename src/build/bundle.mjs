// Bundles made with esbuild after `tsc -p src`:
//   dist/bin/vcstore.js (+ chunks)  the CLI, ESM, every dependency inside
//   dist/server.js, dist/ship.js    the `vcstore/server` and `vcstore/ship` subpaths: fastify, prom-client and the
//                                   NATS client inside; the package's other modules and its runtime dependencies
//                                   imported from dist/ and node_modules, so a Store or StoreError is one class
//   dist/sea/vcstore.cjs            with --sea: the CLI as one CommonJS file, for the single executable
// The build's commit (git rev-parse HEAD, else "unknown") goes into each, for `vcstore --version`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const runtime = Object.keys(pkg.dependencies ?? {});

function commit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  define: { __VCSTORE_COMMIT__: JSON.stringify(commit()) },
};
// CommonJS dependencies call require(): an ESM bundle gives them one.
const esmRequire =
  "import { createRequire as __vcstoreRequire } from 'node:module'; const require = __vcstoreRequire(import.meta.url);";

/** The package's own modules outside `folder` stay imports of their compiled copies in dist/. */
const ownModulesFromDist = (folder) => ({
  name: 'own-modules-from-dist',
  setup(b) {
    const src = path.join(root, 'src');
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!target.startsWith(`${src}${path.sep}`) || target.startsWith(path.join(src, folder) + path.sep)) return;
      return { path: `./${path.relative(src, target).replace(/\.ts$/, '.js')}`, external: true };
    });
  },
});

const sea = process.argv.includes('--sea');
if (sea) {
  await build({
    ...common,
    entryPoints: ['src/cli/sea.ts'],
    outfile: 'dist/sea/vcstore.cjs',
    format: 'cjs',
    define: {
      ...common.define,
      __VCSTORE_VERSION__: JSON.stringify(pkg.version),
      'import.meta.url': '__vcstoreUrl',
    },
    banner: { js: "const __vcstoreUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
} else {
  await build({
    ...common,
    entryPoints: ['src/cli/vcstore.ts'],
    outdir: 'dist/bin',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    sourcesContent: false,
    banner: { js: esmRequire },
  });
  for (const folder of ['server', 'ship']) {
    await build({
      ...common,
      entryPoints: [`src/${folder}/index.ts`],
      outfile: `dist/${folder}.js`,
      format: 'esm',
      external: runtime,
      plugins: [ownModulesFromDist(folder)],
      banner: { js: esmRequire },
    });
  }
}
