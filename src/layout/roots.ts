import path from 'node:path';

/** The three folders a store works in. */
export interface Roots {
  /** config.json files: /var/lib/virtcontainers/sandboxes */
  config: string;
  /** runtime state: /run/virtcontainers/sandboxes */
  run: string;
  /** one journal folder per sandbox, outside both trees so history outlives a deleted sandbox */
  journal: string;
}

export const LEGACY_ROOTS: Roots = rootsUnder('/');

/** The legacy tree moved under a prefix, as `--root DIR` lays it out. */
export function rootsUnder(dir: string): Roots {
  const base = path.resolve(dir);
  return {
    config: path.join(base, 'var/lib/virtcontainers/sandboxes'),
    run: path.join(base, 'run/virtcontainers/sandboxes'),
    journal: path.join(base, 'var/lib/virtcontainers/journal'),
  };
}

/** A sandbox's journal: `<journal root>/<sandbox>/journal.log`. */
export const journalFile = (roots: Roots, sandboxID: string) => path.join(roots.journal, sandboxID, 'journal.log');
