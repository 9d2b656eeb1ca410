import { readFileSync } from 'node:fs';
import { errnoOf } from './fs/missing.ts';

declare const __VCSTORE_VERSION__: string | undefined;

/**
 * vcstore's version, from its package.json: the nearest one above this module
 * that names vcstore. Looked up by walking up, because this module runs from
 * src/, from dist/ and from a bundle chunk, each at another depth.
 */
export function packageVersion(): string {
  // The single executable has no package.json beside it: its build sets the version.
  if (typeof __VCSTORE_VERSION__ === 'string') return __VCSTORE_VERSION__;
  for (let url = new URL('./package.json', import.meta.url), i = 0; i < 6; i++, url = new URL('../package.json', url)) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'vcstore' && typeof pkg.version === 'string') return pkg.version;
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
  }
  return 'unknown';
}
