import { packageVersion } from '../version.ts';

// Set by the build (esbuild `define`, from `git rev-parse HEAD`); absent when run from the sources.
declare const __VCSTORE_COMMIT__: string | undefined;

/** The build's commit, or "unknown" when it was not built from a git checkout (or runs from the sources). */
export const buildCommit = (): string => (typeof __VCSTORE_COMMIT__ === 'string' ? __VCSTORE_COMMIT__ : 'unknown');

/**
 * What `vcstore --version` prints: the version on the first line (scripts read
 * that one), then the journal record versions it reads and writes, then the commit.
 */
export async function versionText(): Promise<string> {
  const { FORMAT_VERSION } = await import('../journal/record.ts'); // loads zod: only when asked
  const all = Array.from({ length: FORMAT_VERSION }, (_, i) => `v${i + 1}`).join(', ');
  return [
    packageVersion(),
    `journal format: reads records ${all}; writes ${all} (each record the lowest version that expresses it)`,
    `commit: ${buildCommit()}`,
  ].join('\n');
}
