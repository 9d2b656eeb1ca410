import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, scenarios } from '../helpers/fixtures.ts';
import { snapshot } from '../helpers/tree.ts';
import { tempDir } from '../helpers/temp.ts';
import { vcstore, jsonLines } from '../helpers/cli.ts';

test('cli apply - prints one line per op with Go errors and results, and writes the fixture tree', async (t) => {
  const root = await tempDir(t, 'cli');
  // As on a host (and in the fixtures' harness), var, var/lib and run already exist.
  for (const dir of ['var', 'var/lib', 'run']) {
    await mkdir(path.join(root, dir));
    await chmod(path.join(root, dir), 0o755);
  }
  const scenario = scenarios().find((s) => s.name === '01-sandbox-lifecycle')!;
  const out = vcstore(['apply', '--root', root, path.join(scenario.dir, 'ops.json')]);
  assert.equal(out.code, scenario.ops.some((op) => op.error !== null) ? 1 : 0, out.stderr);
  const lines = out.stdout.trimEnd().split('\n');
  assert.equal(lines.length, scenario.ops.length);
  for (const [i, line] of lines.entries()) {
    const parsed = JSON.parse(line);
    const op = scenario.ops[i]!;
    assert.equal(parsed.i, i);
    assert.equal(parsed.method, op.method);
    assert.equal(parsed.error, op.error);
    assert.equal(parsed.code === null, parsed.error === null, `op ${i} code ${parsed.code}`);
    if (/^(store|create|delete)/.test(parsed.method) && parsed.error === null) {
      assert.match(JSON.stringify(parsed.result), /^\{"seq":\d+,"hash":"[0-9a-f]{64}"\}$/, `op ${i} result`);
    }
    if (op.rawResult) assert.ok(line.endsWith(`"result":${op.rawResult}}`), `op ${i} result`);
  }
  const tree = await snapshot(root, (rel) => rel === 'var/lib/virtcontainers/journal');
  assert.deepEqual([...tree.keys()].sort(), scenario.modes.entries.map((e) => e.path).sort());
  for (const entry of scenario.modes.entries) {
    assert.equal(tree.get(entry.path)?.mode, entry.mode, entry.path);
    if (entry.type === 'file') {
      const golden = await readFile(path.join(scenario.dir, 'tree', entry.path), 'utf8');
      assert.equal(tree.get(entry.path)?.content, golden, entry.path);
    }
  }
  const log = vcstore(['log', '--root', root, '--sandbox', '5fb4768f-sandbox']);
  assert.equal(log.code, 0, log.stderr);
  const stores = scenario.ops.filter((op) => /^(store|create|delete)/.test(op.method)).length;
  assert.equal(log.stdout.trimEnd().split('\n').length, stores);
  assert.match(log.stdout, /^#1 \S+ create sandbox 5fb4768f-sandbox with ctr-nginx, ctr-sidecar pid \d+ boot /);
  const json = vcstore(['log', '--root', root, '--sandbox', '5fb4768f-sandbox', '--json']);
  const events = jsonLines(json.stdout);
  assert.deepEqual(
    events.map((e) => e.seq),
    Array.from({ length: stores }, (_, i) => i + 1),
  );
});

test('cli apply - an unreadable or malformed ops file exits 2 with a clear message and runs nothing', async (t) => {
  const root = await tempDir(t, 'cli');
  const missing = vcstore(['apply', '--root', root, path.join(root, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /EUSAGE: cannot read ops file/);
  const bad = path.join(root, 'bad.json');
  for (const content of ['[{"method":', '{"method":"createAllResources"}', '[{"sandboxID":"x"}]']) {
    await writeFile(bad, content);
    const out = vcstore(['apply', '--root', root, bad]);
    assert.equal(out.code, 2, content);
    assert.match(out.stderr, /EUSAGE: ops file/);
    assert.equal(out.stdout, '');
  }
  assert.deepEqual([...(await snapshot(root)).keys()], ['bad.json']);
});

test('cli log - a sandbox without a journal exits 3', async (t) => {
  const root = await tempDir(t, 'cli');
  const out = vcstore(['log', '--root', root, '--sandbox', 'nobody']);
  assert.equal(out.code, 3);
  assert.match(out.stderr, /ENOENT: open .*journal\.log: no such file or directory/);
  assert.equal(vcstore(['log', '--root', root, '--sandbox', '../x']).code, 3);
});

test('cli demo - tells the lifecycle, crash, recovery and history story in the working directory, and can run again', async (t) => {
  const cwd = await tempDir(t, 'cli');
  for (let run = 0; run < 2; run++) {
    const out = vcstore(['demo'], { cwd });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /the process ended with SIGKILL/);
    assert.match(
      out.stdout,
      /vcstore verify: extra run\/demo-sandbox\/\.state\.json\.vcstore-tmp-\d+-1; changed run\/demo-sandbox\/state\.json/,
    );
    assert.match(
      out.stdout,
      /rebuilt run\/demo-sandbox\/state\.json; removed run\/demo-sandbox\/\.state\.json\.vcstore-tmp-/,
    );
    assert.match(out.stdout, /fetchSandboxState now returns \{"state":"paused"/);
    assert.match(out.stdout, /changed run\/demo-sandbox\/state\.json \(state: "ready" -> "paused"\)/);
    assert.match(out.stdout, /event 14, [0-9a-f]{64}/);
  }
  const verify = vcstore(['verify', '--root', 'vcstore-demo'], { cwd });
  assert.equal(verify.code, 0, verify.stdout);
  await writeFile(path.join(cwd, 'other'), 'x');
  const refused = vcstore(['demo', '--root', '.'], { cwd });
  assert.equal(refused.code, 2);
});

test('cli - every fixture scenario applies to the end, exit 1 exactly where an op failed', async (t) => {
  for (const scenario of scenarios()) {
    const root = await tempDir(t, 'cli');
    const out = vcstore(['apply', '--root', root, path.join(FIXTURES, scenario.name, 'ops.json')]);
    const failed = out.stdout
      .trimEnd()
      .split('\n')
      .some((l) => JSON.parse(l).code !== null);
    assert.equal(out.code, failed ? 1 : 0, `${scenario.name}: ${out.stderr}`);
    assert.equal(out.stdout.trimEnd().split('\n').length, scenario.ops.length, scenario.name);
  }
});

test('cli - logs are JSON lines on stderr at the level asked for, silent by default', async (t) => {
  const root = await tempDir(t, 'cli');
  const ops = path.join(root, 'ops.json');
  await writeFile(
    ops,
    JSON.stringify([{ method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: [] } }]),
  );
  assert.equal(vcstore(['apply', '--root', root, ops]).stderr, '');
  const journal = path.join(root, 'var/lib/virtcontainers/journal/sb/journal.log');
  await writeFile(journal, Buffer.concat([await readFile(journal), Buffer.from([9, 0, 0, 0, 1])]));
  const quiet = vcstore(['recover', '--root', root]);
  assert.equal(quiet.stderr, '');
  const loud = vcstore(['--log-level', 'warn', 'recover', '--root', root, '--sandbox', 'sb']);
  assert.equal(loud.code, 0, loud.stderr);
  // The torn tail was cut by the first recover: make another for the logged one.
  await writeFile(journal, Buffer.concat([await readFile(journal), Buffer.from([9, 0, 0])]));
  const logged = vcstore(['--log-level', 'warn', 'recover', '--root', root]);
  const lines = jsonLines(logged.stderr);
  assert.ok(
    lines.some((l) => l.msg === 'truncated torn tail' && l.level === 40 && l.bytes === 3),
    logged.stderr,
  );
  const bad = vcstore(['--log-level', 'loud', 'log', '--root', root, '--sandbox', 'sb']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown log level "loud"/);
});
