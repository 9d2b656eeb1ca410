/**
 * A copy of the package's own files, for the tests that build or pack it. A
 * build removes and rewrites dist/, and other test files running at the same
 * time read the checkout's dist/ (the bench's start-up suite runs the compiled
 * CLI), so no test builds in the checkout itself.
 */
import { execFileSync } from 'node:child_process';
import { cp, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './temp.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What a build and `npm pack` read: the manifests, the sources, the docs and the package's top-level files. */
const COPIED = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  '.gitignore',
  'src',
  'docs',
  'README.md',
  'LICENSE',
];

export interface PackageCopy {
  dir: string;
  /** The environment a build there runs with: git still names the checkout's commit, for `vcstore --version`. */
  env: NodeJS.ProcessEnv;
  remove: () => Promise<void>;
}

/** The copy, with the checkout's node_modules linked in (nothing is installed). */
export async function packageCopy(name: string): Promise<PackageCopy> {
  const { dir, remove } = await makeTempDir(name);
  for (const entry of COPIED) await cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, env: { ...process.env, ...gitDir() }, remove };
}

function gitDir(): { GIT_DIR?: string } {
  try {
    const args = ['rev-parse', '--absolute-git-dir'];
    return {
      GIT_DIR: execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    };
  } catch {
    return {}; // not a checkout: the build says "commit: unknown", as it would here
  }
}
