/**
 * Where a CPU profile's time went: self time by function and by package or
 * source folder, and total (self + callees) time of the project's own
 * functions. Usage: node --import tsx test/bench/profile-summary.ts FILE.cpuprofile… [--top N]
 * Given several files (tsx's loader thread writes one too), it reads the one
 * with the most samples: the main thread.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length === 0) throw new Error('usage: profile-summary.ts FILE.cpuprofile… [--top N]');
const top = Number(values.top);
const busiest = positionals
  .map((f) => [f, JSON.parse(readFileSync(f, 'utf8')) as Profile] as const)
  .sort((a, b) => b[1].samples.length - a[1].samples.length)[0];
if (!busiest) throw new Error('usage: profile-summary.ts FILE.cpuprofile… [--top N]');
const [file, profile] = busiest;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>(); // µs per node
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** A readable place: the project's path, a package name, or node's internals. */
function area(url: string): string {
  if (url === '') return '(native / runtime)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const own = /\/(src|test)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`.replace(/\/[^/]+$/, '/');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}
const where = (n: ProfileNode) => {
  const own = /\/((?:src|test)\/.*)$/.exec(n.callFrame.url);
  const at = own ? own[1] : area(n.callFrame.url);
  // Line numbers are left out: under tsx they are those of the transformed code.
  return `${n.callFrame.functionName || '(anonymous)'} ${at}`;
};

function tally(key: (n: ProfileNode) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const [id, us] of self) {
    const k = key(byId.get(id)!);
    sums.set(k, (sums.get(k) ?? 0) + us);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

/** Self plus callees, counted once per function even when it recurses. */
function inclusive(): [string, number][] {
  const sums = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    const k = where(n);
    const fresh = !onStack.has(k);
    if (fresh) onStack.add(k);
    for (const c of n.children ?? []) t += walk(c, onStack);
    if (fresh) {
      onStack.delete(k);
      sums.set(k, (sums.get(k) ?? 0) + t);
    }
    return t;
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());
  return [...sums].sort((a, b) => b[1] - a[1]);
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const show = (title: string, rows: [string, number][], n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of rows.slice(0, n)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
show(
  'self time by area',
  tally((n) => (n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : area(n.callFrame.url))),
  top,
);
show('self time by function', tally(where), top);
show(
  "total time of the project's functions (self + callees)",
  inclusive().filter(([k]) => / src\//.test(k)),
  top,
);
