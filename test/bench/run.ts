/**
 * `npm run bench [-- --quick] [-- --json] [-- --only stores,fetch]`: every
 * figure next to its baselines, measured in the same run. Progress
 * goes to stderr, the table (or JSON) to stdout. Missed targets do not fail
 * the run: this measures, it does not judge.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeCtx, type Mode, type Suite } from './context.ts';
import { prepareLayouts, type LayoutName } from './layout.ts';
import { markdown, table, type Row } from './report.ts';
import { ensureSqlite } from './sqlite-driver.ts';
import { countSuite } from './suites/count.ts';
import { fetchSuite } from './suites/fetch.ts';
import { journalSuite } from './suites/journal.ts';
import { openSuite } from './suites/open.ts';
import { processesSuite } from './suites/processes.ts';
import { replaySuite } from './suites/replay.ts';
import { serveSuite } from './suites/serve.ts';
import { shipSuite } from './suites/ship.ts';
import { startupSuite } from './suites/startup.ts';
import { storesSuite } from './suites/stores.ts';
import { watchSuite } from './suites/watch.ts';
import { storeFrameSize } from './workload.ts';

const SUITES: Suite[] = [
  storesSuite,
  countSuite,
  journalSuite,
  processesSuite,
  fetchSuite,
  openSuite,
  replaySuite,
  serveSuite,
  shipSuite,
  startupSuite,
  watchSuite,
];

const USAGE = `usage: npm run bench -- [--quick] [--json | --markdown] [--save FILE] [--only NAME[,NAME…]] [--layout host|ext4|both]
  --quick     a short run (under a minute): fewer rounds, histories of 10k and 100k events
  --layout    where the stores' run root lives (default both): host = on a tmpfs, as /run is on a host,
              config and journal on the disk; ext4 = all three on the disk under the temp folder
  --smoke     a tiny run that only proves the harness works (for the test suite); numbers mean nothing
  --json      one JSON document on stdout instead of the table
  --markdown  the table in Markdown, as docs/performance.md shows it
  --save      also write the JSON document to FILE
  --only      run only these suites:
${SUITES.map((s) => `    ${s.name.padEnd(10)} ${s.about}`).join('\n')}`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      save: { type: 'string' },
      only: { type: 'string' },
      layout: { type: 'string', default: 'both' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const names = values.only?.split(',').map((s) => s.trim()) ?? SUITES.map((s) => s.name);
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  const layout = values.layout;
  if (layout !== 'host' && layout !== 'ext4' && layout !== 'both')
    throw new Error(`--layout is host, ext4 or both, not ${layout}\n${USAGE}`);
  const layouts: LayoutName[] = layout === 'both' ? ['host', 'ext4'] : [layout];
  const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  return {
    mode,
    json: values.json,
    markdown: values.markdown,
    save: values.save,
    help: values.help,
    layouts,
    suites: SUITES.filter((s) => names.includes(s.name)),
  };
}

/** The code measured: HEAD, and whether the work tree differed from it. */
function revision(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '../../src') ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** What the numbers depend on, printed with them. */
function machine(runRoot: string | null) {
  const cpus = os.cpus();
  return {
    revision: revision(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    tmpdir: os.tmpdir(),
    // The host layout's run root, or null when that layout was not measured.
    runRoot,
    // Other work on the machine moves every figure: the 1, 5 and 15 minute load averages when the run ended.
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
  };
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) return void console.log(USAGE);
  const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
  // A smoke run (the test suite's) measures nothing and must not need the baseline's compile.
  if (opts.mode !== 'smoke') ensureSqlite(log);
  const started = Date.now();
  const frameSize = await storeFrameSize();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vcstore-bench-'));
  const rows: Row[] = [];
  const layouts = await prepareLayouts(opts.layouts, dir);
  for (const m of layouts.missing) log(`${m.label}: ${m.why}`);
  try {
    const ctx = makeCtx(opts.mode, dir, frameSize, layouts);
    for (const suite of opts.suites) {
      const t0 = Date.now();
      log(`${suite.name}…`);
      rows.push(...(await suite.run(ctx)));
      log(`${suite.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await layouts.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const doc = JSON.stringify(
    {
      mode: opts.mode,
      date: new Date(started).toISOString(),
      seconds,
      machine: machine(layouts.tmpfs),
      frameSize,
      rows,
    },
    null,
    2,
  );
  if (opts.save) await writeFile(opts.save, `${doc}\n`);
  if (opts.json) {
    console.log(doc);
  } else {
    const m = machine(layouts.tmpfs);
    console.log(`vcstore bench, ${opts.mode} run, ${new Date(started).toISOString()}, ${seconds.toFixed(0)} s`);
    console.log(
      `code ${m.revision}; node ${m.node}, ${m.platform}, ${m.cpus}, ${m.memoryGiB} GiB, temp files in ${m.tmpdir}; host layout's run root on ${m.runRoot ?? '(not measured)'}; load average ${m.loadAverage.join(' ')}`,
    );
    console.log(`one store event on disk: ${frameSize} bytes, frame included\n`);
    console.log(opts.markdown ? markdown(rows) : table(rows));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
