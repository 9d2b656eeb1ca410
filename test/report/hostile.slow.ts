import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { journalFile } from '../../src/layout/roots.ts';
import { uiBundle } from '../../src/report/bundle.ts';
import { pageHtml } from '../../src/report/html.ts';
import { localReport } from '../../src/report/make.ts';
import { tempStore } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { openBrowser, skipWithoutChromium, watchPage, type Browser } from './browser.ts';
import { resourceAt } from '../../src/audit/show.ts';

let browser: Browser | undefined;
before(async () => {
  if (!skipWithoutChromium({ skip: () => undefined } as never)) browser = await openBrowser();
});
after(() => browser?.close());

const KEY = '<img src=x onerror="window.__pwned=1">';
const CLOSER = '</script><script>window.__pwned=2</script><!--';
const CONTROL = 'bell\u0007 esc\u001b[31m nul\u0000 sep\u2028';

test('report - hostile values in the history are drawn as text and run nothing', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { store, roots } = await tempStore(t);
  await store.createAllResources({ id: 'sb', containers: ['c1'] });
  await store.storeSandboxResource('sb', 'config', {
    type: 'SandboxConfig',
    value: { ID: 'sb', Hostname: CLOSER, Annotations: { [KEY]: CONTROL, big: 'x'.repeat(1024 * 1024) } },
  });
  await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: CLOSER } });
  await store.close();

  const html = pageHtml({ mode: 'report', data: await localReport(roots, 'sb', { from: 'test' }) }, await uiBundle(), {
    title: 'hostile',
    connect: 'none',
  });
  assert.ok(
    !html.includes(CLOSER) && !html.includes('</script><script>window'),
    'a closing tag of the data is in the HTML',
  );
  const file = path.join(await tempDir(t, 'report-hostile'), 'hostile.html');
  await writeFile(file, html);

  const page = await browser!.context.newPage();
  const seen = watchPage(page);
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.row.event[data-seq="3"]');
    await page.click('.row.event[data-seq="2"]');
    await page.waitForSelector('.detail .file pre.bytes.pretty');
    const pretty = (await page.textContent('.detail .file pre.bytes.pretty')) ?? '';
    // Go's encoding/json wrote the key with < and > escaped: the file's own text, shown as text.
    assert.ok(pretty.includes('"\\u003cimg src=x onerror=\\"window.__pwned=1\\"\\u003e": '), pretty.slice(0, 300));
    await page.click('.detail .tabs button:has-text("exact bytes")');
    const exact = await page.textContent('.detail .file pre.bytes.exact');
    const expected = await resourceAt(journalFile(roots, 'sb'), { sandbox: 'sb', resource: 'config' }, { seq: 2 });
    assert.equal(exact, expected.content, 'the exact bytes of the 1 MB file');
    // The state lane names the hostile state as text.
    assert.deepEqual(
      await page.$$eval('[data-lane="sandbox"] .stretch', (s) => s.map((g) => g.getAttribute('data-state'))),
      [CLOSER],
    );
    // A search for the payload finds it in the files, as text.
    await page.fill('input[name="search"]', 'onerror');
    assert.deepEqual(await page.$$eval('.row.event', (r) => r.map((x) => x.getAttribute('data-seq'))), ['2']);

    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('img').count(), 0, 'an element was made from the data');
    assert.equal(await page.locator('script').count(), 2, 'only the data and the bundle');
    // Still usable: the timeline and the detail fit the window, and another event can be chosen.
    const width = page.viewportSize()!.width;
    for (const part of ['.timeline', '.detail']) {
      const box = (await page.locator(part).boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= width + 1 && box.height > 200, `${part} at ${JSON.stringify(box)}`);
    }
    await page.fill('input[name="search"]', '');
    await page.click('.row.event[data-seq="3"]');
    await page.waitForSelector('.detail[data-seq="3"]');
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(
      seen.requests.filter((r) => r !== pathToFileURL(file).href),
      [],
    );
  } finally {
    await page.close();
  }
});
