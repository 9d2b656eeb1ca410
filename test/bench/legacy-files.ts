/**
 * The files the legacy writer of the watch figures rewrites, and its write:
 * the Go storeFile (open with O_TRUNC, one write, close, no fsync), with
 * blocking calls as Go's syscalls are.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface Shape {
  sandboxes: number;
  containers: number;
}

/**
 * Tree paths: a state.json per sandbox `<tag>N`, a state.json and a
 * process.json per container; the k-th file of every sandbox comes before the
 * (k+1)-th of any, so that consecutive writes hit different journals.
 */
export function legacyPaths(tag: string, shape: Shape): string[] {
  const files = ['state.json'];
  for (let c = 0; c < shape.containers; c++) files.push(`c${c}/state.json`, `c${c}/process.json`);
  const paths: string[] = [];
  for (const file of files) for (let s = 0; s < shape.sandboxes; s++) paths.push(`run/${tag}${s}/${file}`);
  return paths;
}

const onDisk = (root: string, treePath: string) =>
  treePath.startsWith('run/')
    ? path.join(root, 'run/virtcontainers/sandboxes', treePath.slice('run/'.length))
    : path.join(root, 'var/lib/virtcontainers/sandboxes', treePath.slice('config/'.length));

/**
 * Write number `n`, stamped with the time it began (ms since the epoch,
 * sub-millisecond); the content parses as a State and as a Process, since Go
 * ignores unknown fields. Returns the content and its stamp.
 */
export function writeLegacy(root: string, treePath: string, n: number, at: number): string {
  const content = `{"state":"running","n":${n},"at":${at.toFixed(3)}}`;
  const fd = openSync(onDisk(root, treePath), 'w', 0o640);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return content;
}

/** The folders, in both roots as the runtime makes them, and a first content for every file (write numbers 0…). */
export function layOut(root: string, tag: string, shape: Shape): string[] {
  for (let s = 0; s < shape.sandboxes; s++)
    for (let c = 0; c < shape.containers; c++)
      for (const top of ['run', 'config'])
        mkdirSync(onDisk(root, `${top}/${tag}${s}/c${c}`), { recursive: true, mode: 0o750 });
  const paths = legacyPaths(tag, shape);
  for (const [n, treePath] of paths.entries()) writeLegacy(root, treePath, n, Date.now());
  return paths;
}
