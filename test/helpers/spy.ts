/**
 * Watching and breaking what the code under test does to its files, in this
 * process: a method replaced for the length of a callback, and always put
 * back, whatever happens.
 */
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Runs `fn` with `target[method]` replaced by what `replace` makes of the original; restores it when `fn` settles. */
export async function withPatched<T>(
  target: object,
  method: string,
  replace: (original: AnyFunction) => AnyFunction,
  fn: () => Promise<T>,
): Promise<T> {
  const original: unknown = Reflect.get(target, method);
  if (typeof original !== 'function') throw new Error(`not a method: ${method}`);
  Reflect.set(target, method, replace(original as AnyFunction));
  try {
    return await fn();
  } finally {
    Reflect.set(target, method, original);
  }
}

/** `withPatched` for `node:fs`: the ESM bindings the code under test imported follow the patch, and its undoing. */
export async function withFsPatched<T>(
  target: object,
  method: string,
  replace: (original: AnyFunction) => AnyFunction,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await withPatched(target, method, replace, () => {
      syncBuiltinESMExports();
      return fn();
    });
  } finally {
    syncBuiltinESMExports();
  }
}

/** Runs `fn` with every call of `node:fs`'s `method` (e.g. `fdatasyncSync`, a lone writer's inline sync) shown to `seen` first. */
export function withFsSpy<T>(method: string, seen: (args: unknown[]) => void, fn: () => Promise<T>): Promise<T> {
  return withFsPatched(
    fs,
    method,
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        seen(args);
        return original.apply(this, args);
      },
    fn,
  );
}

/** The prototype every FileHandle shares: patching it reaches the handles the code under test opens. */
export async function fileHandlePrototype(): Promise<object> {
  const probe = await open(process.execPath, 'r');
  await probe.close();
  return Object.getPrototypeOf(probe) as object;
}

/** Runs `fn` with `method` of every FileHandle reporting each call's result to `seen`. */
export async function withFileHandleSpy<T>(
  method: 'datasync' | 'stat',
  seen: (result: unknown) => void,
  fn: () => Promise<T>,
): Promise<T> {
  return withPatched(
    await fileHandlePrototype(),
    method,
    (original) =>
      async function (this: unknown, ...args: unknown[]) {
        const result: unknown = await original.apply(this, args);
        seen(result);
        return result;
      },
    fn,
  );
}
