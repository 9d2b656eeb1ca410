import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEMP_MARK } from '../../../src/projector/atomic-write.ts';
import type { Suite } from '../context.ts';
import { alone, compare, type Row } from '../report.ts';
import { attach, MARK, parseTrace, straceMissing, type Call } from '../strace.ts';

const WORKER = fileURLToPath(new URL('../workers/store-count.ts', import.meta.url));

/** Stores counted (and profiled) per mode: the count is exact, the profile samples every 250 µs. */
const STORES = { full: 1000, quick: 400, smoke: 20 } as const;

const WRITES = /^(write|pwrite64|writev|pwritev2?)$/;
/** Calls that are the process's machinery rather than a store's own work: threads waking, memory, the event loop. */
const PLUMBING = new Set([
  'futex',
  'epoll_wait',
  'epoll_pwait',
  'epoll_pwait2',
  'epoll_ctl',
  'mmap',
  'munmap',
  'mprotect',
  'madvise',
  'brk',
  'getpid',
  'gettid',
  'clock_gettime',
  'sched_yield',
  'rt_sigprocmask',
]);

/** The path a call's first argument names: an fd decoded by `-y` (`23</path>`), or a quoted path after an optional dirfd. */
function pathOf(args: string): string {
  const fd = /^-?\d+<([^>]*)>/.exec(args);
  if (fd) return fd[1]!;
  const quoted = /"([^"]*)"/.exec(args);
  return quoted ? quoted[1]! : '';
}

type Part = 'append' | 'sync' | 'projection write' | 'projection rename' | 'plumbing' | 'rest';

function partOf(c: Call): Part {
  const file = pathOf(c.args);
  if (WRITES.test(c.name) && file.endsWith('/journal.log')) return 'append';
  if ((c.name === 'fdatasync' || c.name === 'fsync') && file.endsWith('/journal.log')) return 'sync';
  if (WRITES.test(c.name) && file.includes(TEMP_MARK)) return 'projection write';
  if (c.name.startsWith('rename')) return 'projection rename';
  if (PLUMBING.has(c.name) || file.startsWith('anon_inode:')) return 'plumbing';
  return 'rest';
}

/** A call of "the rest" in a few words: its name and the last part of the path it names, temp names folded. */
function describe(c: Call): string {
  const file = pathOf(c.args);
  const base =
    file === '' ? '' : path.basename(file).replace(new RegExp(`${TEMP_MARK.replace(/\./g, '\\.')}.*$`), '.tmp-*');
  return base ? `${c.name} ${base}` : c.name;
}

interface Counted {
  stores: number;
  parts: Map<Part, number>;
  rest: Map<string, number>;
  plumbing: Map<string, number>;
}

function count(calls: Call[], stores: number): Counted {
  const begin = calls.findIndex((c) => c.args.includes(MARK.begin));
  const end = calls.findIndex((c) => c.args.includes(MARK.end));
  if (begin < 0 || end < begin) throw new Error('the trace has no marker calls around the stores');
  const parts = new Map<Part, number>();
  const rest = new Map<string, number>();
  const plumbing = new Map<string, number>();
  for (const c of calls.slice(begin + 1, end)) {
    const part = partOf(c);
    parts.set(part, (parts.get(part) ?? 0) + 1);
    if (part === 'rest') rest.set(describe(c), (rest.get(describe(c)) ?? 0) + 1);
    if (part === 'plumbing') plumbing.set(c.name, (plumbing.get(c.name) ?? 0) + 1);
  }
  return { stores, parts, rest, plumbing };
}

/**
 * Node's fs bindings, as a profile names them (native frames, no url): a
 * sample there is the main thread inside a system call (a synchronous one),
 * or issuing one to the thread pool, not running JavaScript.
 */
const FS_BINDINGS = new Set([
  'open',
  'openFileHandle',
  'close',
  'read',
  'readFileUtf8',
  'write',
  'writeBuffer',
  'writeBuffers',
  'writeString',
  'fstat',
  'lstat',
  'stat',
  'statfs',
  'readlink',
  'realpath',
  'rename',
  'fdatasync',
  'fsync',
  'unlink',
  'rmdir',
  'mkdir',
  'symlink',
  'readdir',
  'access',
  'existsSync',
  'chmod',
  'fchmod',
  'utimes',
  'futimes',
  'copyFile',
]);

/** The bindings that wait for the disk when called synchronously. */
const SYNCS = new Set(['fdatasync', 'fsync']);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Self time of a CPU profile split by where the sample was: on the store path (a src/ frame on the stack) or not. */
function profileSplit(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const onPath = new Map<number, boolean>();
  const walk = (id: number, inherited: boolean) => {
    const n = byId.get(id)!;
    const here = inherited || n.callFrame.url.includes('/src/');
    onPath.set(id, here);
    for (const c of n.children ?? []) walk(c, here);
  };
  if (profile.nodes[0]) walk(profile.nodes[0].id, false);
  const sums = { busy: 0, path: 0, gc: 0, own: 0, npm: 0, node: 0, native: 0, fs: 0, syncWait: 0 };
  const functions = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName: fn, url } = byId.get(id)!.callFrame;
    if (fn === '(idle)') return;
    // A lone writer's fdatasync is a synchronous call: the main thread waits for the disk there, off a CPU.
    if (SYNCS.has(fn) && url === '') {
      sums.syncWait += us;
      return;
    }
    sums.busy += us;
    if (fn === '(garbage collector)') sums.gc += us;
    if (!onPath.get(id)) return;
    sums.path += us;
    if (url.includes('/src/')) sums.own += us;
    else if (url.includes('/node_modules/')) sums.npm += us;
    else if (url.startsWith('node:')) sums.node += us;
    else if (FS_BINDINGS.has(fn)) sums.fs += us;
    else sums.native += us;
    const own = /\/((?:src|node_modules)\/.*)$/.exec(url);
    const key = `${fn || '(anonymous)'}${own ? ` ${own[1]!.replace(/^node_modules\//, 'npm:')}` : url ? ` ${url}` : ' (native)'}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  });
  return { sums, functions };
}

/** Lines from a child's stdout, one at a time. */
function lines(stream: NodeJS.ReadableStream): () => Promise<string> {
  const it = createInterface({ input: stream })[Symbol.asyncIterator]();
  return async () => {
    const next = await it.next();
    if (next.done) throw new Error('the counting worker ended early');
    return next.value;
  };
}

const per = (x: number, n: number) => x / n;
const fixed = (x: number) => x.toFixed(1);

/**
 * Work per store, counted rather than timed: the system calls of N stores
 * by one writer in a process of its own (strace attached to it and its
 * threads, the calls between two marker calls, each classified by the file
 * it names), and the main thread's CPU time per store from a V8 profile of
 * N more.
 */
export const countSuite: Suite = {
  name: 'count',
  about:
    'system calls per store (strace, split into the append, the sync, the projection and the rest) and µs of JavaScript per store (CPU profile)',
  async run(ctx) {
    const layout = ctx.layouts[0];
    const suite = 'count';
    if (!layout) return [alone(suite, 'system calls per store', null, 'calls', ctx.missingLayouts[0]?.why)];
    const n = STORES[ctx.mode];
    const where = layout.label;
    const prefix = await layout.prefix('count');
    const traceFile = path.join(await ctx.folder('trace'), 'store.strace');
    const profileFile = path.join(await ctx.folder('profile'), 'store.cpuprofile');
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, prefix, String(n), profileFile], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const next = lines(child.stdout);
    const rows: Row[] = [];
    try {
      const ready = /^ready (\d+)$/.exec(await next());
      if (!ready) throw new Error('the counting worker did not start');
      const missing = straceMissing();
      if (missing) rows.push(alone(suite, `system calls per store, ${where}`, null, 'calls', missing));
      else {
        const strace = await attach(Number(ready[1]), traceFile, ['-y']);
        child.stdin.write('trace\n');
        if ((await next()) !== 'traced') throw new Error('the counting worker did not trace');
        await strace.stop();
        const counted = count(parseTrace(await readFile(traceFile, 'utf8')), n);
        const part = (p: Part) => per(counted.parts.get(p) ?? 0, n);
        const all = [...counted.parts.values()].reduce((a, b) => a + b, 0) / n;
        const top = (m: Map<string, number>) =>
          [...m]
            .sort((a, b) => b[1] - a[1])
            .filter(([, v]) => v / n >= 0.05)
            .map(([k, v]) => `${k} ${fixed(v / n)}`)
            .join(', ');
        const label = (what: string) => `system calls per store, ${what}, ${where}`;
        rows.push(
          alone(
            suite,
            label('all'),
            all,
            'calls',
            `strace -f -y over ${n} stores by one writer, every thread of its process`,
          ),
          alone(suite, label('the append'), part('append'), 'calls', 'write of the journal record'),
          alone(suite, label('the sync'), part('sync'), 'calls', 'fdatasync of the journal'),
          alone(suite, label("the projection's write"), part('projection write'), 'calls', 'write of the temp file'),
          alone(suite, label("the projection's rename"), part('projection rename'), 'calls'),
          compare(
            suite,
            label("the rest, the store's own"),
            part('rest'),
            'calls',
            'target 8 calls',
            8,
            { op: '<=', ratio: 1 },
            `besides the above and the process's plumbing; per store, most first: ${top(counted.rest)}`,
          ),
          alone(
            suite,
            label('the plumbing (futex, epoll, memory: threads waking and the event loop)'),
            part('plumbing'),
            'calls',
            top(counted.plumbing),
          ),
        );
      }
      child.stdin.write('profile\n');
      const profiled = /^profiled ([\d.]+) ([\d.]+) ([\d.]+)$/.exec(await next());
      if (!profiled) throw new Error('the counting worker did not profile');
      const [wall, mainCpu, allCpu] = profiled.slice(1).map(Number) as [number, number, number];
      const { sums, functions } = profileSplit(JSON.parse(await readFile(profileFile, 'utf8')));
      // A profile samples the main thread by the clock, on a CPU or not (on a loaded machine its self times
      // include waiting for one), and its sampling costs CPU time itself. So it gives the shares only: they
      // split the main thread's time on a CPU (schedstat) in the same number of stores without the profiler.
      const scale = sums.busy > 0 ? mainCpu / sums.busy : 1;
      const us = (x: number) => `${Math.round((x * scale) / n)} µs`;
      const topFns = [...functions]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, v]) => `${k} ${us(v)}`)
        .join('; ');
      rows.push(
        alone(suite, `wall time per store, one writer, ${where}`, wall / n, 'µs', `${n} stores, no profiler`),
        alone(
          suite,
          `CPU time per store, every thread of the process, ${where}`,
          allCpu / n,
          'µs',
          'user + system (process.cpuUsage) over the same stores: the main thread and the thread pool',
        ),
        alone(
          suite,
          `main thread on a CPU per store, ${where}`,
          mainCpu / n,
          'µs',
          `its schedstat run time over ${n} stores without the profiler; a profile of ${n} more sampled it busy ${Math.round(sums.busy / n)} µs per store (its own cost and waiting for a CPU included; ${Math.round(sums.syncWait / n)} µs more waiting in a synchronous fdatasync left out), so its self times are scaled by ${scale.toFixed(2)}; garbage collection ${us(sums.gc)}`,
        ),
        alone(
          suite,
          `main thread in fs calls per store, on the store path, ${where}`,
          (sums.fs * scale) / n,
          'µs',
          "self time of Node's fs bindings under a src/ frame: synchronous system calls, and the issuing of asynchronous ones",
        ),
        compare(
          suite,
          `µs of JavaScript per store, on the store path, ${where}`,
          ((sums.path - sums.fs) * scale) / n,
          'µs',
          'target 60 µs',
          60,
          { op: '<=', ratio: 1 },
          `self time of samples with a src/ frame on the stack, fs calls apart: src/ ${us(sums.own)}, npm packages ${us(sums.npm)}, node internals ${us(sums.node)}, builtins (JSON, crypto, buffers) ${us(sums.native)}; most first, fs calls included: ${topFns}`,
        ),
      );
      child.stdin.write('quit\n');
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
    return rows;
  },
};
