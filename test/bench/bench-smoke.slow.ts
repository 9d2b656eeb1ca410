import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Row } from './report.ts';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

/** Runs the harness in its tiny mode; the numbers mean nothing, the shape of the output does. */
const bench = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', RUN, '--smoke', ...args], {
    timeout: 240_000,
    maxBuffer: 1 << 24,
  });

/** Every figure the issue asks for, by the start of its name. */
const FIGURES = [
  'limit: append+fdatasync',
  'legacy write',
  'SQLite, 1 writer',
  'vcstore store, 1 writer',
  'vcstore store, 16 writers, 1 sandbox',
  'vcstore store, 64 writers, 1 sandbox',
  'vcstore store, 16 writers, 16 sandboxes',
  'vcstore store, 64 writers, 64 sandboxes',
  'vcstore store, 4 processes, 4 sandboxes',
  'vcstore store, 4 processes, 1 sandbox',
  'vcstore store through the daemon, 4 processes, 1 sandbox',
  'lock hand-off, 4 processes on 1 sandbox', // not in a smoke run, without strace, a row that says so
  'system calls per store', // without strace, a row that says so
  'µs of JavaScript per store, on the store path',
  'main thread on a CPU per store',
  'legacy fetch',
  'vcstore fetchSandboxState',
  'read legacy files alone',
  'vcstore open',
  'SQLite read',
  'vcstore verify',
  'vcstore replay',
  'vcstore replay with the schema checked',
  'peak RSS',
  'journal: append+fdatasync',
  'journal: overwrite+fdatasync, zeros written 1 MiB ahead',
  'writer lock check()',
  'serve: socket stores, 1 client',
  'serve: socket stores, 64 clients, 1 sandbox',
  'serve: socket stores, 64 clients, 64 sandboxes',
  'serve: fetchSandboxState over the socket',
  'node -e 0',
  'vcstore --help',
  'vcstore apply, one store',
  'peak RSS, vcstore --help',
  'peak RSS, vcstore apply',
  'vcstore ship', // without nats-server, a row that says so
  'watch: legacy write',
  'watch: legacy writer process at full speed',
  'watch: observe events at full speed',
  'watch: writes missed (overwritten before read), full speed',
  'watch: longest-lived write missed',
  'watch: final state recorded after the writer stopped',
  'watch: lag p50, full speed',
  'watch: lag p99, full speed',
  'watch: writes recorded/s, paced at the legacy write rate',
  'watch: lag p50, paced at the legacy write rate',
  'watch: lag p99, paced at the legacy write rate',
];

test('bench - smoke run prints every figure with its ratio, as a table and as JSON', async () => {
  // Side by side: two runs in series would take most of the suite's time budget.
  const [plain, json] = await Promise.all([bench(), bench('--json')]);

  const rows = (JSON.parse(json.stdout) as { rows: Row[] }).rows;
  for (const figure of FIGURES)
    assert.ok(
      rows.some((r) => r.figure.startsWith(figure)),
      `no ${figure} in the JSON`,
    );
  for (const row of rows.filter((r) => r.baseline !== undefined)) {
    assert.ok(row.ratio === null || Number.isFinite(row.ratio), `${row.figure} vs ${row.baseline}: ratio ${row.ratio}`);
    // n/a only where the note says why (a feature this version lacks)
    if (row.ratio === null) assert.ok(row.note, `${row.figure}: no ratio and no note`);
  }
  assert.ok(rows.filter((r) => r.target).length >= 8, 'the targets of the issue are missing');
  // Both layouts by default: the host's (or a row saying why it is missing) and all on ext4.
  for (const layout of ['host layout', 'all on ext4'])
    for (const figure of ['vcstore store, 1 writer', 'vcstore store, 4 processes, 1 sandbox'])
      assert.ok(
        rows.some((r) => r.figure.startsWith(figure) && r.figure.includes(layout)) ||
          rows.some((r) => r.figure.includes(layout) && r.value === null && r.note),
        `no ${figure}… ${layout} in the JSON`,
      );

  // The table has the same rows: each figure, and each comparison with its ratio.
  const lines = plain.stdout.split('\n');
  for (const figure of FIGURES)
    assert.ok(
      lines.some((l) => l.startsWith(figure)),
      `no ${figure} in the table:\n${plain.stdout}`,
    );
  for (const row of rows.filter((r) => r.baseline !== undefined)) {
    const line = lines.find((l) => l.startsWith(row.figure) && l.includes(row.baseline!) && /\d\.\d\d×|n\/a/.test(l));
    assert.ok(line, `no table line with a ratio for ${row.figure} vs ${row.baseline}:\n${plain.stdout}`);
  }
});
