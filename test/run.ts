/**
 * The test runner behind `npm test` and `npm run test:slow`.
 *
 *   npm test                     every test/**\/*.test.ts
 *   npm run test:slow            every test/**\/*.slow.ts: the integration suites that build
 *                                packages or drive Go, a browser, a NATS cluster or a 40,000-file flood
 *   npm test -- FILE…            the files named
 *
 * Test files run side by side (VCSTORE_TEST_CONCURRENCY at a time, 3 by default): most of a
 * storage test's time is spent waiting on fsync, timers and child processes, not on a CPU. On two
 * cores, 4 or 5 at a time took more CPU in all and finished later (187-194 s against 175-185 s).
 * The CLI that the tests start some three hundred times is bundled once from the sources first
 * (dist/bin/, as `npm run build` makes it; about a second): a start through tsx costs about
 * three times the CPU, and the tests then run what the package ships.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Files that take longest start first, so that the run does not end waiting on one of them alone. */
const FIRST = [
  'test/cli/cli.test.ts',
  'test/crash/failpoints.test.ts',
  'test/server/daemon.test.ts',
  'test/cli/exit-codes.test.ts',
  'test/conformance/legacy-fixtures.test.ts',
  'test/store/lock-race.test.ts',
  'test/crash/random-kills.test.ts',
];

function testFiles(suffix: string): string[] {
  const all = readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join('test', f))
    .sort();
  return [...FIRST.filter((f) => all.includes(f)), ...all.filter((f) => !FIRST.includes(f))];
}

/** The CLI bundle and the report page, built from the sources as `npm run build` builds them. */
function buildCli(): string {
  for (const args of [['src/build/bundle.mjs'], ['--import', 'tsx', 'src/report/build-ui-main.ts']]) {
    const built = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  return path.join(ROOT, 'dist/bin/vcstore.js');
}

const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('--'));
const files = named.length > 0 ? named : testFiles(args.includes('--slow') ? '.slow.ts' : '.test.ts');
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = Number(process.env.VCSTORE_TEST_CONCURRENCY ?? 3);
const started = Date.now();
const env = { ...process.env, VCSTORE_TEST_CLI: process.env.VCSTORE_TEST_CLI ?? buildCli() };
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => {
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`# ${files.length} test files, ${concurrency} at a time, in ${seconds} s`);
  process.exit(code ?? (signal ? 1 : 0));
});
