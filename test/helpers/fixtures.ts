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

/** Every scenario of the legacy Go fixtures, ops parsed without losing a digit. */
export function scenarios(): Scenario[] {
  return readdirSync(FIXTURES)
    .filter((name) => /^\d\d-/.test(name))
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURES, name);
      const ops = opLines(readFileSync(path.join(dir, 'ops.json'), 'utf8')).map((text) => {
        const op = parseJson(text) as FixtureOp;
        const raw = rawMember(text, 'result');
        return raw === undefined ? op : { ...op, rawResult: raw };
      });
      const modes = JSON.parse(readFileSync(path.join(dir, 'modes.json'), 'utf8'));
      return { name, dir, ops, modes };
    });
}
