import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const SESSION = 'store/session/';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') || entry.name.endsWith('.tsx') ? [full] : [];
  });
}

/** Each file of src/ (relative to it) with the files of src/ it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const specifier = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(specifier)].map((m) =>
      path.relative(SRC, path.resolve(path.dirname(file), m[1] ?? '')),
    );
    graph.set(path.relative(SRC, file), targets);
  }
  return graph;
}

/** The first cycle found, as the files around it, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

test('architecture - the imports of src/ have no cycle', () => {
  const cycle = findCycle(importGraph());
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
});

test('architecture - only the writer session imports the journal writer, its repair and its restore', () => {
  const internal = ['store/session/journal-writer.ts', 'journal/repair.ts', 'journal/restore.ts'];
  const outside: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (file.startsWith(SESSION) || file.startsWith('journal/')) continue;
    for (const target of targets) if (internal.includes(target)) outside.push(`${file} -> ${target}`);
  }
  assert.deepEqual(outside, []);
  for (const file of sources(SRC)) {
    const rel = path.relative(SRC, file);
    if (rel.startsWith(SESSION)) continue;
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\bJournalWriter\b/, `${rel} names JournalWriter`);
  }
});

test('architecture - recovery/ and the layers below store/ import nothing of store/ and above', () => {
  const lower = ['journal/', 'legacy/', 'layout/', 'projector/', 'recovery/', 'fs/'];
  const upper = ['store/', 'audit/', 'ship/', 'watch/', 'server/', 'cli/', 'import/', 'report/'];
  const up: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (!lower.some((l) => file.startsWith(l))) continue;
    for (const target of targets) if (upper.some((u) => target.startsWith(u))) up.push(`${file} -> ${target}`);
  }
  assert.deepEqual(up, []);
});

test('architecture - errors are StoreErrors with a code, checked with isStoreError', () => {
  const plain: string[] = [];
  for (const file of sources(SRC)) {
    const rel = path.relative(SRC, file);
    const text = readFileSync(file, 'utf8');
    if (/\bnew Error\(/.test(text)) plain.push(`${rel}: new Error`);
    if (rel !== 'errors.ts' && /instanceof StoreError/.test(text)) plain.push(`${rel}: instanceof StoreError`);
  }
  assert.deepEqual(plain, []);
});

test('architecture - no file of src/ is over 300 lines', () => {
  const long = sources(SRC)
    .map((file) => ({ file: path.relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > 300);
  assert.deepEqual(long, []);
});
