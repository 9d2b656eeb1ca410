import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { resourceAt } from '../../src/audit/show.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { toResource } from '../../src/layout/resources.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { auditScenario } from '../helpers/audit-scenario.ts';
import { jsonLines, vcstore } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { inkOf, openBrowser, skipWithoutChromium, watchPage, type Browser } from './browser.ts';

let browser: Browser | undefined;
before(async () => {
  if (!skipWithoutChromium({ skip: () => undefined } as never)) browser = await openBrowser();
});
after(() => browser?.close());

/** Opens a report file, recording every request; waits for its timeline. */
async function openReport(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser!.context.newPage();
  const seen = watchPage(page);
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('.row.event');
  return { page, ...seen };
}

const logOf = (root: string, sandbox: string): JournalEvent[] =>
  jsonLines(vcstore(['log', '--root', root, '--sandbox', sandbox, '--json']).stdout);

/** The `state` of each store of a state.json in a lane (sandbox, or a container), in order. */
const storedStates = (events: JournalEvent[], container?: string) =>
  events
    .filter((e) => e.op === 'store' && e.resource === 'state' && e.container === container)
    .map((e) => (JSON.parse(e.payload ?? '') as { state: string }).state);

/**
 * What every report of a history must show: a row per event, the lanes'
 * transitions in order, each stored file's exact bytes as `show --at` has
 * them, a page that is not blank, and not one request beyond the file.
 */
async function checkReport(root: string, sandbox: string, file: string, lanes: Array<string | undefined>) {
  const events = logOf(root, sandbox);
  const { page, requests, errors } = await openReport(file);
  try {
    assert.equal(await page.getAttribute('.filters .count', 'data-events'), String(events.length));
    const seqs = (await page.$$eval('.row.event', (rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))).slice(
      0,
      events.length,
    );
    assert.deepEqual(
      seqs,
      events.slice(0, seqs.length).map((e) => e.seq),
      'one row per event, in order',
    );
    assert.ok(seqs.length >= Math.min(events.length, 20), `only ${seqs.length} rows drawn`);

    for (const container of lanes) {
      const lane = container ?? 'sandbox';
      const drawn = await page.$$eval(`[data-lane="${lane}"] .stretch`, (s) =>
        s.map((g) => g.getAttribute('data-state') ?? ''),
      );
      assert.deepEqual(
        drawn.filter((s) => s !== ''),
        storedStates(events, container),
        `lane ${lane}: ${drawn.join(' → ')}`,
      );
    }

    const journal = journalFile(rootsUnder(root), sandbox);
    for (const event of events.filter((e) => e.op === 'store')) {
      await page.click(`.row.event[data-seq="${event.seq}"]`);
      await page.waitForSelector(`.detail[data-seq="${event.seq}"]`);
      await page.click('.detail .tabs button:has-text("exact bytes")');
      const shown = await page.textContent('.detail .file pre.bytes.exact');
      const where = {
        sandbox,
        resource: toResource(event.resource)!,
        ...(event.container ? { container: event.container } : {}),
      };
      const expected = await resourceAt(journal, where, { seq: event.seq });
      assert.equal(shown, expected.content, `bytes after #${event.seq}`);
    }
    // And once through the command itself.
    const last = events.filter((e) => e.op === 'store').at(-1)!;
    const show = vcstore([
      'show',
      '--root',
      root,
      '--sandbox',
      sandbox,
      '--resource',
      last.resource!,
      ...(last.container ? ['--container', last.container] : []),
      '--at',
      String(last.seq),
    ]);
    await page.click(`.row.event[data-seq="${last.seq}"]`);
    await page.click('.detail .tabs button:has-text("exact bytes")');
    assert.equal(await page.textContent('.detail .file pre.bytes.exact'), show.stdout);

    const png = await page.screenshot();
    if (process.env.VCSTORE_REPORT_PNG && sandbox === 'demo-sandbox')
      await writeFile(process.env.VCSTORE_REPORT_PNG, png);
    const ink = await inkOf(browser!, png);
    assert.ok(ink > 0.05, `the screenshot is ${(ink * 100).toFixed(1)}% ink: blank`);

    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((r) => r !== pathToFileURL(file).href),
      [],
      'the report asked for something beyond itself',
    );
  } finally {
    await page.close();
  }
}

test('report - the demo history: a row per event, its lanes, show --at bytes, a screenshot, no request', async (t) => {
  if (skipWithoutChromium(t)) return;
  const root = path.join(await tempDir(t, 'report-demo'), 'demo');
  const demo = vcstore(['demo', '--root', root]);
  assert.equal(demo.code, 0, demo.stderr);
  const file = path.join(root, 'report.html');
  assert.match(demo.stdout, new RegExp(`open ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} in a browser`));
  await checkReport(root, 'demo-sandbox', file, [undefined, 'web', 'sidecar']);
});

test('report - a held scenario across a reboot and a delete, made by vcstore report', async (t) => {
  if (skipWithoutChromium(t)) return;
  const scenario = await auditScenario();
  t.after(scenario.done);
  const file = path.join(await tempDir(t, 'report-scenario'), 'sb.html');
  const made = vcstore(['report', '--root', scenario.root, '--sandbox', 'sb', '--out', file]);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /report of sb: 12 events, head #12, verify clean/);
  await checkReport(scenario.root, 'sb', file, [undefined, 'c1']);

  const { page } = await openReport(file);
  try {
    // The reboot is marked, and the sandbox lane shows the state cleared between ready and running.
    assert.match((await page.textContent('.row.event[data-seq="7"]')) ?? '', /reboot.*host rebooted/);
    const lane = await page.$$eval('[data-lane="sandbox"] .stretch', (s) => s.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(lane, ['ready', '', 'running']);
    // The diff from the previous version, as `vcstore diff` words it.
    await page.click('.row.event[data-seq="10"]');
    const diff = await page.$$eval('.detail ul.diff li', (li) => li.map((l) => l.textContent));
    assert.deepEqual(diff, ['~ Annotations.team: "a" -> "b"', '+ Annotations.env: "prod"']);
    // The head, and verify's verdict, as the file records them.
    const head = jsonLines(vcstore(['head', '--root', scenario.root, '--sandbox', 'sb', '--json']).stdout)[0];
    assert.equal(await page.textContent('.head-hash'), head.hash);
    assert.equal(await page.getAttribute('.verify', 'data-clean'), 'true');
    // Filters and search narrow the timeline.
    await page.selectOption('select[name="container"]', 'c2');
    assert.match((await page.textContent('.filters .count')) ?? '', /^5 of 12 events/);
    await page.selectOption('select[name="container"]', '');
    await page.fill('input[name="search"]', 'prod');
    assert.deepEqual(await page.$$eval('.row.event', (rows) => rows.map((r) => r.getAttribute('data-seq'))), ['10']);
  } finally {
    await page.close();
  }
});
