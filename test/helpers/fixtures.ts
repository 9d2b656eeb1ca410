import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson } from '../../src/legacy/json-parse.ts';
import type { Op } from '../../src/cli/ops.ts';
import { opLines, rawMember } from './raw-json.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/legacy-go');

export interface FixtureOp extends Op {
  error: string | null;
  errorSource?: string | null;
  effects: Array<{ path: string; change: string; kind: string; mode?: string; content?: string }>;
  /** the exact bytes of `result` in ops.json, when there is one */
  rawResult?: string;
}

export interface Scenario {
  name: string;
  dir: string;
  ops: FixtureOp[];
  modes: { entries: Array<{ path: string; type: 'dir' | 'file'; mode: string; size: number | null }> };
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * A mode of the fixtures (made under umask 022) as Go makes it under this process's umask:
 * files are `os.Create`'s 0666 and folders `MkdirAll`'s 0750, minus the umask; the folders the
 * harness made beforehand (0755, set with chmod) stay as they are.
 */
export function modeHere(mode: string): string {
  const umask = process.umask();
  if (mode === '0644') return octal(0o666 & ~umask);
  if (mode === '0750') return octal(0o750 & ~umask);
  return mode;
}

/** Every scenario of the legacy Go fixtures, ops parsed without losing a digit, modes as this umask gives them. */
export function scenarios(): Scenario[] {
  return readdirSync(FIXTURES)
    .filter((name) => /^\d\d-/.test(name))
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURES, name);
      const ops = opLines(readFileSync(path.join(dir, 'ops.json'), 'utf8')).map((text) => {
        const parsed = parseJson(text) as FixtureOp;
        const effects = parsed.effects.map((e) => (e.mode === undefined ? e : { ...e, mode: modeHere(e.mode) }));
        const op = { ...parsed, effects };
        const raw = rawMember(text, 'result');
        return raw === undefined ? op : { ...op, rawResult: raw };
      });
      const modes = JSON.parse(readFileSync(path.join(dir, 'modes.json'), 'utf8')) as Scenario['modes'];
      for (const entry of modes.entries) entry.mode = modeHere(entry.mode);
      return { name, dir, ops, modes };
    });
}
