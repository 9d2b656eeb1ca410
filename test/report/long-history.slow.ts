/**
 * Issue 23's "fast on long histories": a 10,000-event sandbox's report is
 * under 5 MB, made in under 2 s, and paints in under 1 s. The times are
 * measured here and reported (t.diagnostic); the assertions compare them
 * with baselines measured in the same run, so that they hold on a loaded
 * 2-core machine: generation against one verify read of the same journal,
 * the first paint against that of a tiny report in the same browser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resourceAt } from '../../src/audit/show.ts';
import { journalFile, rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { uiBundle } from '../../src/report/bundle.ts';
import { pageHtml } from '../../src/report/html.ts';
import { localReport } from '../../src/report/make.ts';
import { Store } from '../../src/store/store.ts';
import { makeTempDir } from '../helpers/temp.ts';
import { openBrowser, skipWithoutChromium } from './browser.ts';

const EVENTS = 10_000;
const SANDBOX = 'sb';
const CONTAINERS = ['web', 'sidecar', 'db'];
const STATES = ['ready', 'running', 'paused', 'running', 'stopped'];

let dir: { dir: string; remove: () => Promise<void> };
let roots: Roots;

/**
 * A sandbox of three containers whose states change all the time, 10,000
 * events, through the public Store. Stores issued together are committed
 * together (one write and one sync a group), so the setup takes seconds.
 */
before(async () => {
  dir = await makeTempDir('report-long');
  roots = rootsUnder(dir.dir);
  const store = new Store({ roots });
  try {
    await store.createAllResources({ id: SANDBOX, containers: CONTAINERS });
    let group: Promise<unknown>[] = [];
    for (let i = 1; i < EVENTS; i++) {
      const k = i % 5;
      const container = CONTAINERS[k - 1];
      if (k === 0)
        group.push(
          store.storeSandboxResource(SANDBOX, 'state', { type: 'State', value: { state: STATES[(i / 5) % 5] } }),
        );
      else if (container === undefined)
        group.push(
          store.storeSandboxResource(SANDBOX, 'config', {
            type: 'SandboxConfig',
            value: { ID: SANDBOX, Hostname: `host-${i % 97}`, Annotations: { generation: String(i) } },
          }),
        );
      else
        group.push(
          store.storeContainerResource(SANDBOX, container, 'state', {
            type: 'State',
            value: { state: STATES[i % 5], blockIndex: i },
          }),
        );
      if (group.length === 1000) {
        await Promise.all(group);
        group = [];
      }
    }
    await Promise.all(group);
  } finally {
    await store.close();
  }
});
after(() => dir?.remove());

const msSince = (t0: number) => performance.now() - t0;
const round = (ms: number) => Math.round(ms);

/** The whole report, as `vcstore report` makes it, but without writing the file; the page's bundle is loaded before. */
async function generate(point?: { seq: number }): Promise<{ ms: number; html: string; events: number }> {
  const ui = await uiBundle();
  const t0 = performance.now();
  const data = await localReport(roots, SANDBOX, { from: 'test', ...(point ? { point } : {}) });
  const html = pageHtml({ mode: 'report', data }, ui, { title: 'long history', connect: 'none' });
  return { ms: msSince(t0), html, events: data.events.length };
}

/** Bytes this process has read through read(2) and the like so far (Linux), or undefined. */
function bytesRead(): number | undefined {
  try {
    const rchar = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return rchar ? Number(rchar[1]) : undefined;
  } catch {
    return undefined;
  }
}

test('report - a 10,000-event history: under 5 MB, made from one read of its journal, in under 2 s', async (t) => {
  const journal = (await stat(journalFile(roots, SANDBOX))).size;
  // Warm once (the first call bundles the page from the sources and compiles the code), then the best of three.
  await generate();
  const before = bytesRead();
  const first = await generate();
  const after = bytesRead();
  let read = Infinity;
  let made = first.ms;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const verdict = await verifySandbox(roots, SANDBOX);
    read = Math.min(read, msSince(t0));
    assert.equal(verdict.consistent, true);
    made = Math.min(made, (await generate()).ms);
  }
  const bytes = Buffer.byteLength(first.html);
  const reads = before === undefined || after === undefined ? undefined : after - before;
  t.diagnostic(
    `${first.events} events: ${(bytes / 1e6).toFixed(2)} MB of HTML, made in ${round(made)} ms (goal 2000 ms); ` +
      `one verify read of the journal: ${round(read)} ms; ` +
      `bytes read: ${reads ?? '(no /proc/self/io)'} for a journal of ${journal}`,
  );
  assert.ok(first.events >= EVENTS, `${first.events} events`);
  assert.ok(bytes < 5 * 1024 * 1024, `${bytes} bytes of HTML`);
  // The read that verifies the journal also feeds the report: the journal is read once, not twice.
  if (reads !== undefined) assert.ok(reads < 1.5 * journal, `${reads} bytes read for a journal of ${journal}`);
  // The goal, on a machine as slow as this one is now: 2 s where a verify read of this journal takes
  // 250 ms or less (it takes about 100 ms on an idle 2-core machine).
  const slow = Math.max(1, read / 250);
  assert.ok(made < 2000 * slow, `the report took ${round(made)} ms, a verify read ${round(read)} ms`);
});

test('report - a 10,000-event history paints about as soon as a tiny one, drawing only what is on screen', async (t) => {
  if (skipWithoutChromium(t)) return;
  const big = path.join(dir.dir, 'long.html');
  const tiny = path.join(dir.dir, 'tiny.html');
  await writeFile(big, (await generate()).html);
  // The same sandbox's first 14 events: the same page, with 700 times fewer events.
  await writeFile(tiny, (await generate({ seq: 14 })).html);

  const browser = await openBrowser();
  t.after(() => browser.close());
  /** Opens a report; its first contentful paint and the page's own marks, in ms from the navigation. */
  const open = async (file: string) => {
    const page = await browser.context.newPage();
    try {
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      const times = await page.evaluate(() => ({
        paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Infinity,
        data: performance.getEntriesByName('vcstore:data')[0]?.startTime ?? Infinity,
        drawn: performance.getEntriesByName('vcstore:drawn')[0]?.startTime ?? Infinity,
        elements: document.getElementsByTagName('*').length,
        rows: document.querySelectorAll('.row.event').length,
        events: document.querySelector('.filters .count')?.getAttribute('data-events'),
      }));
      return times;
    } finally {
      await page.close();
    }
  };
  await open(tiny); // the browser's own first-page costs
  const runs: Array<{ tiny: Awaited<ReturnType<typeof open>>; big: Awaited<ReturnType<typeof open>> }> = [];
  for (let i = 0; i < 3; i++) runs.push({ tiny: await open(tiny), big: await open(big) });
  const best = (key: 'tiny' | 'big') => runs.map((r) => r[key]).sort((a, b) => a.paint - b.paint)[0]!;
  const small = best('tiny');
  const long = best('big');
  t.diagnostic(
    `first paint: ${EVENTS} events ${round(long.paint)} ms (data parsed at ${round(long.data)}, drawn at ` +
      `${round(long.drawn)}; goal 1000 ms), 14 events ${round(small.paint)} ms (drawn at ${round(small.drawn)}); ` +
      `${long.elements} elements and ${long.rows} rows drawn for ${long.events} events`,
  );
  assert.ok(Number(long.events) >= EVENTS, `${long.events} events`);
  // Only what is on screen is drawn: the rows that fit, and lanes of a few shapes each.
  assert.ok(long.rows > 10 && long.rows < 120, `${long.rows} rows drawn`);
  assert.ok(long.elements < 2000, `${long.elements} elements in the page`);
  // What the long history adds to the first paint stays under the goal of 1 s, on a machine as slow as
  // this one is now: the tiny report measures that (it paints in 250 ms or less on an idle one).
  const slow = Math.max(1, small.paint / 250);
  assert.ok(
    long.paint - small.paint < 1000 * slow,
    `first paint ${round(long.paint)} ms against ${round(small.paint)} ms for a tiny report`,
  );
});

test('report - a 10,000-event history: the last events, scrolled to and clicked, show the bytes show --at has', async (t) => {
  if (skipWithoutChromium(t)) return;
  const file = path.join(dir.dir, 'long-click.html');
  await writeFile(file, (await generate()).html);
  const journal = journalFile(roots, SANDBOX);
  const browser = await openBrowser();
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('.row.event');
  // The end of the timeline: its last config store and its last sandbox state store, each far down a
  // chain of versions stored as edits from the one before.
  await page.$eval('.timeline', (el) => (el.scrollTop = el.scrollHeight));
  const last = await page.$$eval('.row.event', (rows) =>
    rows.map((r) => ({ seq: Number(r.getAttribute('data-seq')), text: r.textContent ?? '' })),
  );
  const config = last.filter((r) => r.text.includes('store config')).at(-1);
  const state = last.filter((r) => r.text.includes('store state') && !/web|sidecar|db/.test(r.text)).at(-1);
  assert.ok(config && state, JSON.stringify(last.slice(-5)));
  for (const [row, resource] of [
    [config, 'config'],
    [state, 'state'],
  ] as const) {
    await page.click(`.row.event[data-seq="${row.seq}"]`);
    await page.waitForSelector(`.detail[data-seq="${row.seq}"]`);
    await page.click('.detail .tabs button:has-text("exact bytes")');
    const expected = await resourceAt(journal, { sandbox: SANDBOX, resource }, { seq: row.seq });
    assert.equal(await page.textContent('.detail .file pre.bytes.exact'), expected.content, `#${row.seq}`);
  }
  // A lane of thousands of changes is a few shapes; a click on it selects the change under the pointer.
  const lane = await page.$eval('[data-lane="web"] .target', (r) => r.getBoundingClientRect().width);
  await page.click('[data-lane="web"] .target', { position: { x: lane - 1, y: 5 } });
  const picked = Number(await page.getAttribute('.detail', 'data-seq'));
  assert.match((await page.textContent('.detail h2')) ?? '', /store state of container web/);
  assert.ok(picked > 9900, `#${picked}`);
  // A search reads every version of every file.
  await page.fill('input[name="search"]', '"generation":"9994"');
  assert.match((await page.textContent('.filters .count')) ?? '', /^1 of \d+ events/);
});
