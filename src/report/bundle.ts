import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errUsage } from '../errors.ts';
import { fileExists } from '../fs/missing.ts';
import { BUILT, buildUi, packageRoot, type UiBundle } from './build-ui.ts';

let loaded: Promise<UiBundle> | undefined;

/**
 * The page's script and styles. From the sources (tests, `tsx`), they are
 * bundled from the sources on first use, so the page is never older than the
 * code beside it; from the compiled package, `npm run build` made them. One
 * load per process.
 */
export function uiBundle(): Promise<UiBundle> {
  loaded ??= load();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function load(): Promise<UiBundle> {
  const root = packageRoot();
  if (root === undefined) throw errUsage('cannot find the vcstore package folder, which holds the report page');
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const js = path.join(root, BUILT.js);
  if (!fromSources && (await fileExists(js))) {
    return { js: await readFile(js, 'utf8'), css: await readFile(path.join(root, BUILT.css), 'utf8') };
  }
  if (await fileExists(path.join(root, 'src/report/ui/main.ts'))) return buildUi(root);
  throw errUsage(`the report page is missing (${js}): run npm run build`);
}
