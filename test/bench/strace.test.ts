import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handoffs } from './suites/processes.ts';
import { MARK, parseTrace, processOf } from './strace.ts';

/**
 * A trace as `strace -f -ttt -y` writes it, of a parent (100) that starts
 * two processes (200 and 300); 200 starts a thread (201), whose write to the
 * journal is interrupted by another thread's line. A hand-off before the
 * marker (warm-up) must not count.
 */
const TRACE = [
  `100 1.000000 clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_CLEAR_SIGHAND, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 200`,
  `100 1.000100 clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_CLEAR_SIGHAND, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 300`,
  `200 1.001000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS, exit_signal=0, stack=0x7e} => {parent_tid=[201]}, 88) = 201`,
  `300 1.001500 symlink("300 boot", "/x/journal/@locks/sb0.lock") = 0`,
  `300 1.001600 unlink("/x/journal/@locks/sb0.lock") = 0`,
  `200 1.001700 symlink("200 boot", "/x/journal/@locks/sb0.lock") = 0`,
  `200 1.001800 unlink("/x/journal/@locks/sb0.lock") = 0`,
  `100 1.002000 unlink("${MARK.go}") = -1 ENOENT (No such file or directory)`,
  `300 1.009000 symlink("300 boot", "/x/journal/@locks/sb0.lock") = -1 EEXIST (File exists)`,
  `200 1.010000 symlink("200 boot", "/x/journal/@locks/sb0.lock") = 0`,
  `201 1.011000 write(23</x/journal/sb0/journal.log>, "\\1\\2"..., 334 <unfinished ...>`,
  `300 1.011500 newfstatat(AT_FDCWD, "/x/journal/@locks/sb0.lock", 0x7ffc, AT_SYMLINK_NOFOLLOW) = 0`,
  `201 1.012000 <... write resumed>) = 334`,
  `200 1.200000 unlink("/x/journal/@locks/sb0.lock") = 0`,
  `300 1.203000 symlink("300 boot", "/x/journal/@locks/sb0.lock") = 0`,
  `300 1.205000 write(1<pipe:[77]>, "progress\\n", 9) = 9`,
  `300 1.208000 write(25</x/journal/sb0/journal.log>, "\\1\\2"..., 334) = 334`,
  `300 1.400000 unlink("/x/journal/@locks/sb0.lock") = 0`,
].join('\n');

test('strace - a trace is read call by call, an interrupted call from its first line with its result from the second', () => {
  const calls = parseTrace(TRACE);
  assert.equal(calls.length, 17); // the resumed line is not a call of its own
  const write = calls.find((c) => c.tid === 201 && c.name === 'write')!;
  assert.equal(write.time, 1.011);
  assert.equal(write.result, '334');
  assert.match(write.args, /journal\.log/);
});

test('strace - threads are counted to the process that cloned them, processes to themselves', () => {
  const of = processOf(parseTrace(TRACE));
  assert.equal(of(201), 200);
  assert.equal(of(200), 200);
  assert.equal(of(300), 300);
  assert.equal(of(100), 100);
});

test('strace - a hand-off runs from the holder unlinking the lock to the next holder first writing the journal', () => {
  const found = handoffs(parseTrace(TRACE));
  // The warm-up turns before the marker and the first take after it (no one released before it) are not hand-offs.
  assert.equal(found.handoffs.length, 1);
  const [h] = found.handoffs;
  assert.ok(Math.abs(h!.take - 0.003) < 1e-9, `take ${h!.take}`);
  assert.ok(Math.abs(h!.append - 0.005) < 1e-9, `append ${h!.append}`); // the write to stdout is not the append
  // Two holds after the marker: 200's (its thread's write counted to it) and 300's.
  assert.deepEqual(
    found.holds.map((s) => Math.round(s * 1000)),
    [190, 197],
  );
  assert.deepEqual(found.appendsPerHold, [1, 1]);
});
