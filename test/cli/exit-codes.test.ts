import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT, EXIT_OF } from '../../src/cli/exit-codes.ts';
import { tempDir } from '../helpers/temp.ts';
import { CLI, jsonLines, vcstoreAsync, type CliRun } from '../helpers/cli.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A few CLI runs at a time: each is a Node start, and the machine is shared. */
async function inTurns<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 3) results.push(...(await Promise.all(items.slice(i, i + 3).map(run))));
  return results;
}

/** One line `vcstore: CODE: message` and nothing else when stderr is not a terminal: never the help, never a hint. */
function assertErrorFormat(run: CliRun, code: string, what: string): void {
  const lines = run.stderr.trimEnd().split('\n');
  assert.match(lines[0] ?? '', new RegExp(`^vcstore: ${code}: \\S`), `${what}: ${run.stderr}`);
  assert.equal(lines.length, 1, `${what}: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Usage:|error: |✖/, what);
}

/** The CLI with a terminal for stdin, stdout and stderr (util-linux's script), its output as one text. */
function onTerminal(args: string[]): { code: number | null; output: string } {
  const command = [process.execPath, ...CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, VCSTORE_LOG: '' },
  });
  return { code: run.status, output: run.stdout.replaceAll('\r\n', '\n') };
}

test('cli exit codes - --version, bare vcstore and help <cmd> exit 0 and print to stdout', async () => {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const [version, bare, help, helpOf, dashHelp] = await inTurns(
    [['--version'], [], ['help'], ['help', 'log'], ['apply', '--help']],
    (args) => vcstoreAsync(args),
  );
  assert.equal(version?.code, 0);
  const [first, format, commit] = (version?.stdout ?? '').trimEnd().split('\n');
  assert.equal(first, pkg.version, 'the version alone on the first line, for scripts');
  assert.match(format ?? '', /^journal format: reads records v1, v2; writes v1, v2 /);
  assert.match(commit ?? '', /^commit: ([0-9a-f]{40}|unknown)$/);
  for (const run of [bare, help]) {
    assert.equal(run?.code, 0, run?.stderr);
    assert.match(run?.stdout ?? '', /^Usage: vcstore \[options\] \[command\]/);
    assert.match(run?.stdout ?? '', /\n {2}verify +check every journal/);
  }
  assert.equal(helpOf?.code, 0, helpOf?.stderr);
  assert.match(helpOf?.stdout ?? '', /^Usage: vcstore log \[options\]/);
  assert.match(helpOf?.stdout ?? '', /--follow/);
  assert.equal(dashHelp?.code, 0, dashHelp?.stderr);
  assert.match(dashHelp?.stdout ?? '', /or - to read it from stdin/);
});

test('cli exit codes - every usage error exits 2 with one error line and a hint to --help', async () => {
  const cases: Array<[string[], RegExp, string]> = [
    [['frob'], /unknown command 'frob'/, 'vcstore --help'],
    [['--frob'], /unknown option '--frob'/, 'vcstore --help'],
    [['-x', 'list', '--root', '/tmp'], /unknown option '-x'/, 'vcstore --help'],
    [['--log-level', 'info'], /no command given/, 'vcstore --help'],
    [['help', 'frob'], /unknown command 'frob'/, 'vcstore --help'],
    [['verify', '--root', '/tmp', '--bogus'], /unknown option '--bogus'/, 'vcstore verify --help'],
    [['log', '--root', '/tmp'], /required option '--sandbox <id>' not specified/, 'vcstore log --help'],
    [
      ['show', '--root', '/tmp', '--sandbox', 's', '--resource', 'nope'],
      /--resource <name>.*expected config, state/,
      'vcstore show --help',
    ],
    [
      ['diff', '--root', '/tmp', '--sandbox', 's', '--from', 'x', '--to', '1'],
      /expected a sequence number/,
      'vcstore diff --help',
    ],
    [['apply', '--root', '/tmp'], /missing required argument 'ops.json'/, 'vcstore apply --help'],
    [['export', '--root', '/tmp'], /give --sandbox ID or --all/, 'vcstore export --help'],
    [['--log-level', 'loud', 'list', '--root', '/tmp'], /unknown log level "loud"/, 'vcstore list --help'],
  ];
  const runs = await inTurns(cases, ([args]) => vcstoreAsync(args));
  for (const [i, [args, message]] of cases.entries()) {
    const run = runs[i]!;
    const what = `vcstore ${args.join(' ')}`;
    assert.equal(run.code, EXIT.usage, `${what}: ${run.stderr}`);
    assertErrorFormat(run, 'EUSAGE', what);
    assert.match(run.stderr, message, what);
    assert.equal(run.stdout, '', what);
  }
  // On a terminal, and only there, a second line says where the usage is described.
  for (const [args, message, help] of [cases[1]!, cases[4]!, cases[6]!]) {
    const run = onTerminal(args);
    const what = `vcstore ${args.join(' ')} on a terminal`;
    assert.equal(run.code, EXIT.usage, `${what}: ${run.output}`);
    const lines = run.output.trimEnd().split('\n');
    assert.equal(lines.length, 2, `${what}: ${run.output}`);
    assert.match(lines[0] ?? '', message, what);
    assert.equal(lines[1], `vcstore: see '${help}'`, what);
  }
});

test('cli exit codes - an ops file that fails its schema is told in vcstore words, not zod output', async (t) => {
  const base = await tempDir(t, 'zod');
  const cases: Array<[unknown, RegExp]> = [
    [{ method: 'createAllResources' }, /: expected an array, got an object$/],
    [[{ sandboxID: 'x' }], /: op 0: method: missing \(expected a string\)$/],
    [
      [{ method: 'storeAgentState' }, { method: 'x', sandboxID: 5 }],
      /: op 1: sandboxID: expected a string, got a number$/,
    ],
  ];
  const runs = await inTurns(cases, ([ops]) =>
    vcstoreAsync(['apply', '--root', base, '-'], { input: JSON.stringify(ops) }),
  );
  for (const [i, [ops, message]] of cases.entries()) {
    const run = runs[i]!;
    const what = JSON.stringify(ops);
    assert.equal(run.code, EXIT.usage, `${what}: ${run.stderr}`);
    assertErrorFormat(run, 'EUSAGE', what);
    assert.match(run.stderr.trimEnd(), message, what);
    assert.doesNotMatch(run.stderr, /Invalid input|received/, what);
  }
});

test('cli exit codes - a --root that does not exist is ENOROOT for every reading command', async (t) => {
  const base = await tempDir(t, 'noroot');
  const missing = path.join(base, 'nope');
  const s = ['--sandbox', 'sb'];
  const reading: string[][] = [
    ['verify', '--root', missing],
    ['list', '--root', missing],
    ['log', '--root', missing, ...s],
    ['export', '--root', missing, '--all'],
    ['export', '--root', missing, ...s],
    ['show', '--root', missing, ...s, '--resource', 'state'],
    ['diff', '--root', missing, ...s, '--from', '0', '--to', '1'],
    ['replay', '--root', missing, ...s, '--at', '1', '--out', path.join(base, 'out')],
    ['head', '--root', missing, ...s],
    ['recover', '--root', missing],
    ['import', '--root', path.join(base, 'target'), '--from', missing],
  ];
  const runs = await inTurns(reading, (args) => vcstoreAsync(args));
  for (const [i, args] of reading.entries()) {
    const run = runs[i]!;
    const what = `vcstore ${args.join(' ')}`;
    assert.equal(run.code, EXIT.usage, `${what}: ${run.stdout}${run.stderr}`);
    assertErrorFormat(run, 'ENOROOT', what);
    assert.ok(run.stderr.includes(missing), what);
  }
  // Nothing was made by a refused command.
  await assert.rejects(stat(missing), { code: 'ENOENT' });
  await assert.rejects(stat(path.join(base, 'target')), { code: 'ENOENT' });
});

test('cli exit codes - store errors exit 3 in the same format', async (t) => {
  const base = await tempDir(t, 'storeerr');
  const [unsafe, absent] = await inTurns(
    [
      ['log', '--root', base, '--sandbox', '../x'],
      ['head', '--root', base, '--sandbox', 'nobody'],
    ],
    (args) => vcstoreAsync(args),
  );
  assert.equal(unsafe?.code, EXIT.store);
  assertErrorFormat(unsafe, 'EUNSAFEID', 'unsafe id');
  assert.equal(absent?.code, EXIT.store);
  assertErrorFormat(absent, 'ENOENT', 'no journal');
});

test('cli apply - reads stdin, creates its root, answers mutations with { seq, hash }, honours expectSeq, exits 1 on a failed op', async (t) => {
  const base = await tempDir(t, 'apply');
  const root = path.join(base, 'new-root');
  const create = { method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: [] } };
  const state = (s: string, expectSeq?: number) => ({
    method: 'storeSandboxResource',
    sandboxID: 'sb',
    resource: 'state',
    goType: 'virtcontainers.State',
    data: { state: s },
    ...(expectSeq === undefined ? {} : { expectSeq }),
  });
  const ok = await vcstoreAsync(['apply', '--root', root, '-'], { input: JSON.stringify([create, state('ready', 1)]) });
  assert.equal(ok.code, 0, ok.stderr);
  const lines = jsonLines(ok.stdout);
  assert.deepEqual(
    lines.map((l) => [l.i, l.error, l.code, l.result.seq]),
    [
      [0, null, null, 1],
      [1, null, null, 2],
    ],
  );
  const head = await vcstoreAsync(['head', '--root', root, '--sandbox', 'sb', '--json']);
  assert.equal(head.code, 0, head.stderr);
  assert.deepEqual(
    lines[1].result,
    { seq: 2, hash: JSON.parse(head.stdout).hash },
    'the hash is the head after the event',
  );

  const stale = await vcstoreAsync(['apply', '--root', root, '-'], {
    input: JSON.stringify([state('paused', 1), state('running', 2), { method: 'fetchSandboxState', sandboxID: 'sb' }]),
  });
  assert.equal(stale.code, EXIT.findings, stale.stderr);
  assert.equal(stale.stderr, '');
  const [refused, applied, fetched] = jsonLines(stale.stdout);
  assert.equal(refused.code, 'ECONFLICT');
  assert.equal(typeof refused.error, 'string');
  assert.equal(refused.result, null);
  assert.equal(applied.code, null);
  assert.equal(applied.result.seq, 3);
  assert.equal(fetched.result.state, 'running');
});

test('cli exit codes - every error code has an exit status, and docs/cli.md lists each with it', async () => {
  const doc = await readFile(path.join(ROOT, 'docs/cli.md'), 'utf8');
  for (const [code, status] of Object.entries(EXIT_OF)) {
    const row = doc.split('\n').find((line) => line.startsWith('|') && new RegExp(`\\b${code}\\b`).test(line));
    assert.ok(row, `docs/cli.md has no table row for ${code}`);
    assert.match(row, new RegExp(`^\\| ${status} \\|`), `docs/cli.md puts ${code} under another status: ${row}`);
  }
  assert.doesNotMatch(doc, /--strict/);
});
