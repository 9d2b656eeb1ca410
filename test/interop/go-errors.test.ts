import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

test('go module - one sentinel error per daemon error code, no more', () => {
  const codes = [...read('src/errors.ts').matchAll(/^\s+\| '([A-Z]+)'/gm)].map((m) => m[1]);
  const sentinels = [...read('src/go/errors.go').matchAll(/^\tErr\w+\s+= sentinel\("([A-Z]+)"/gm)].map((m) => m[1]);
  assert.ok(codes.length > 30, `${codes.length} codes`);
  assert.deepEqual([...sentinels].sort(), [...codes].sort());
});
