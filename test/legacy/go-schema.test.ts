import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { goTypeName, resolve, zeroOf } from '../../src/legacy/go-schema.ts';
import { goInt, goStruct, str } from '../../src/legacy/types/primitives.ts';

test('go-schema - every zod wrapper is looked through to the Go type it wraps', () => {
  const uint32 = goInt('uint32');
  const wrapped = [
    uint32.default(0),
    uint32.prefault(0),
    uint32.optional(),
    z.exactOptional(uint32),
    uint32.optional().nonoptional(),
    uint32.readonly(),
    uint32.catch(0),
    uint32.pipe(z.number()),
  ];
  for (const schema of wrapped) {
    assert.deepEqual(resolve(schema), {
      node: { kind: 'int', name: 'uint32', min: 0n, max: 2n ** 32n - 1n },
      nullable: false,
    });
  }
  assert.equal(resolve(uint32.nullable().default(null)).nullable, true);
});

test('go-schema - plain zod schemas stand for the Go types json.Marshal gives them', () => {
  assert.equal(goTypeName(z.array(z.string())), '[]string');
  assert.equal(goTypeName(z.record(z.string(), z.boolean().nullable())), 'map[string]*bool');
  assert.equal(goTypeName(z.array(z.email())), '[]string'); // a string format is still a string
  assert.equal(goTypeName(z.number()), 'interface {}');
  assert.equal(resolve(z.object({ a: z.string() })).node.kind, 'struct');
});

test('go-schema - a struct field reads its shape, and its zero value has every field', () => {
  const Point = goStruct('pkg.Point', { X: goInt('int').default(0), Name: str() });
  const { node } = resolve(Point.nullable().default(null));
  assert.equal(node.kind, 'struct');
  assert.deepEqual(node.kind === 'struct' ? Object.keys(node.shape) : [], ['X', 'Name']);
  assert.equal(goTypeName(z.array(Point.nullable())), '[]*pkg.Point');
  assert.deepEqual(zeroOf(Point), { X: 0, Name: '' });
});
