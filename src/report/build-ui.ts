import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { errnoOf } from '../fs/missing.ts';

/** The page's script and styles, each one text to inline. */
export interface UiBundle {
  js: string;
  css: string;
}

/**
 * The package's folder: the nearest one above this module whose package.json
 * names vcstore (this module runs from src/, from dist/ and from a bundle chunk).
 */
export function packageRoot(): string | undefined {
  for (let url = new URL('./package.json', import.meta.url), i = 0; i < 6; i++, url = new URL('../package.json', url)) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown };
      if (pkg.name === 'vcstore') return path.dirname(fileURLToPath(url));
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
  }
  return undefined;
}

/** Where `npm run build` puts the bundle, under the package's folder. */
export const BUILT = { js: 'dist/ui/report.js', css: 'dist/ui/report.css' };
const SOURCES = ['src/report/ui/main.ts', 'src/report/ui/style.css'];

/**
 * Bundles the page from its sources with esbuild (a development dependency:
 * only a checkout has it). Minified, for browsers of the last few years, and
 * ASCII only, so the text can sit in any HTML file.
 */
export async function buildUi(root: string): Promise<UiBundle> {
  // Named through a variable so that bundling the CLI leaves esbuild out of it.
  const name = 'esbuild';
  const esbuild = (await import(name)) as typeof Esbuild;
  const result = await esbuild.build({
    entryPoints: SOURCES.map((s) => path.join(root, s)),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    charset: 'ascii',
    legalComments: 'none',
    write: false,
    outdir: path.join(root, 'dist/ui'),
    logLevel: 'warning',
  });
  const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
}

/** `npm run build`'s step: the bundle into dist/ui/. */
export async function writeUi(root: string): Promise<void> {
  const ui = await buildUi(root);
  await mkdir(path.join(root, 'dist/ui'), { recursive: true });
  // esbuild names its outputs after the entry points (main.js, style.css); the report looks for these names.
  await writeFile(path.join(root, BUILT.js), ui.js);
  await writeFile(path.join(root, BUILT.css), ui.css);
}
