import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';

export interface FsCalls {
  count: number;
  /** seconds from call to return (synchronous) or settlement (promise, callback), summed */
  seconds: number;
}

// Callback-style functions whose time is taken up to the callback.
const CALLBACK = [
  'open',
  'close',
  'read',
  'write',
  'stat',
  'lstat',
  'fstat',
  'mkdir',
  'rmdir',
  'rename',
  'unlink',
  'utimes',
  'fsync',
  'fdatasync',
  'readFile',
  'writeFile',
  'access',
  'readdir',
];

/**
 * Counts and times calls to node:fs (synchronous and callback) and
 * node:fs/promises functions and FileHandle methods until stopped: the
 * waiting that a CPU profile shows only as idle. Wraps the modules' exports,
 * then syncBuiltinESMExports() so that named imports see the wrappers. Not
 * seen: libraries that captured fs functions when they loaded (graceful-fs,
 * so proper-lockfile's lock and unlock).
 */
export async function countFsCalls(): Promise<{ stop(): Map<string, FsCalls> }> {
  const counts = new Map<string, FsCalls>();
  const restore: (() => void)[] = [];
  const wrap = (target: Record<string, unknown>, key: string, label: string, callback = false) => {
    const original = target[key];
    if (typeof original !== 'function' || key === 'constructor') return;
    target[key] = function (this: unknown, ...args: unknown[]) {
      const c = counts.get(label) ?? { count: 0, seconds: 0 };
      counts.set(label, c);
      c.count++;
      const start = process.hrtime.bigint();
      const settled = () => void (c.seconds += Number(process.hrtime.bigint() - start) / 1e9);
      const last = args.length - 1;
      if (callback && typeof args[last] === 'function') {
        const cb = args[last] as (...a: unknown[]) => unknown;
        args[last] = (...a: unknown[]) => (settled(), cb(...a));
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      }
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) result.then(settled, settled);
      else settled();
      return result;
    };
    restore.push(() => (target[key] = original));
  };
  const probe = await fsp.open(os.devNull, 'r');
  const handleProto = Object.getPrototypeOf(probe) as Record<string, unknown>;
  await probe.close();
  for (const key of Object.keys(fsp)) wrap(fsp, key, key);
  for (const key of Object.getOwnPropertyNames(handleProto)) {
    if (Object.getOwnPropertyDescriptor(handleProto, key)?.get) continue;
    wrap(handleProto, key, `handle.${key}`);
  }
  const fsRecord = fs as unknown as Record<string, unknown>;
  for (const key of Object.keys(fs)) if (key.endsWith('Sync')) wrap(fsRecord, key, `fs.${key}`);
  for (const key of CALLBACK) wrap(fsRecord, key, `fs.${key}(cb)`, true);
  syncBuiltinESMExports();
  return {
    stop() {
      for (const r of restore) r();
      syncBuiltinESMExports();
      return counts;
    },
  };
}
