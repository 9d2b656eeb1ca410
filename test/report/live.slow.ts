import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startServe } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { openBrowser, skipWithoutChromium, watchPage, type Browser } from './browser.ts';

let browser: Browser | undefined;
before(async () => {
  if (!skipWithoutChromium({ skip: () => undefined } as never)) browser = await openBrowser();
});
after(() => browser?.close());

test('report - the live view at /ui/ shows a store made after the page was opened, within a second', async (t) => {
  if (skipWithoutChromium(t)) return;
  const root = await tempDir(t, 'report-live');
  const serve = await startServe(root, ['--listen', '127.0.0.1:0']);
  t.after(() => serve.stop());
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stdout())?.[1];
  assert.ok(url, serve.stdout());
  const create = await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb1', containerIDs: ['c1'] });
  assert.equal(create.status, 200, create.text);

  const page = await browser!.context.newPage();
  const seen = watchPage(page);
  try {
    // The list, then a sandbox made while it is open.
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('tr[data-sandbox="sb1"]');
    await page.waitForFunction(() => document.body.textContent?.includes('following'));
    const made = Date.now();
    await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb2', containerIDs: [] });
    await page.waitForSelector('tr[data-sandbox="sb2"]', { timeout: 5000 });
    const listed = Date.now() - made;

    await page.click('tr[data-sandbox="sb1"] a');
    await page.waitForSelector('.row.event[data-seq="1"]');
    await page.waitForFunction(() => document.body.textContent?.includes('live · following'));
    const stored = Date.now();
    const store = await call(serve.socket, 'POST', '/v1/storeSandboxResource', {
      sandboxID: 'sb1',
      resource: 'state',
      data: { type: 'State', value: { state: 'running' } },
    });
    assert.equal(store.status, 200, store.text);
    await page.waitForSelector('.row.event[data-seq="2"]', { timeout: 5000 });
    const shown = Date.now() - stored;
    await waitFor(
      async () =>
        (
          await page.$$eval('[data-lane="sandbox"] .stretch', (s) => s.map((g) => g.getAttribute('data-state')))
        ).join() === 'running',
      { what: 'the sandbox lane to show running', timeout: 5000 },
    );
    assert.ok(listed < 1000, `the new sandbox was listed after ${listed} ms`);
    assert.ok(shown < 1000, `the store was shown after ${shown} ms`);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(
      seen.requests.filter((r) => !r.startsWith(`${url}/`)),
      [],
      'the view asked another origin for something',
    );
  } finally {
    await page.close();
  }
});

test('report - the live view answers only to a loopback Host', async (t) => {
  const root = await tempDir(t, 'report-host');
  const serve = await startServe(root);
  t.after(() => serve.stop());
  assert.equal((await call(serve.socket, 'GET', '/ui/', undefined, { host: 'localhost' })).status, 200);
  const rebound = await call(serve.socket, 'GET', '/ui/', undefined, { host: 'evil.example:80' });
  assert.equal(rebound.status, 400, rebound.text);
});
