// The CLI as the package runs it: one bundle per command (code splitting), dependencies inlined.
// A runtime may start vcstore once per operation; resolving and compiling a few hundred small
// module files (zod alone is over a hundred) cost more than the work. The library keeps tsc's output.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/vcstore.ts'],
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: true,
  sourcesContent: false, // the maps point at src/ and node_modules/ instead of carrying 2 MB of copies
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies (pino, fs-extra, commander) call require() for Node's own modules.
  banner: { js: "import { createRequire as __vcstoreRequire } from 'node:module'; const require = __vcstoreRequire(import.meta.url);" },
  logLevel: 'warning',
});
