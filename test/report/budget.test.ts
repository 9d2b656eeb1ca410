import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { uiBundle } from '../../src/report/bundle.ts';
import { pageHtml, scriptJson } from '../../src/report/html.ts';
import { localReport } from '../../src/report/make.ts';
import { tempStore } from '../helpers/store.ts';

test('report - the page code stays within 150 KB gzipped', async () => {
  const ui = await uiBundle();
  const gz = gzipSync(ui.js + ui.css).length;
  assert.ok(gz <= 150 * 1024, `${gz} bytes gzipped`);
});

test('report - data in a script element cannot end it: < > & U+2028 U+2029 are escaped', () => {
  const text = scriptJson({ s: '</script><!--&\u2028\u2029' });
  assert.ok(!/[<>&\u2028\u2029]/.test(text), text);
  assert.deepEqual(JSON.parse(text), { s: '</script><!--&\u2028\u2029' });
});

test('report - each distinct file content is in the page once, however often it was stored', async (t) => {
  const { store, roots } = await tempStore(t);
  await store.createAllResources({ id: 'sb', containers: [] });
  const big = 'y'.repeat(100_000);
  for (let i = 0; i < 20; i++)
    await store.storeSandboxResource('sb', 'config', { type: 'SandboxConfig', value: { ID: 'sb', Hostname: big } });
  await store.close();
  const data = await localReport(roots, 'sb', { from: 'test' });
  const html = pageHtml({ mode: 'report', data }, await uiBundle(), { title: 't', connect: 'none' });
  assert.equal(data.events.length, 21);
  assert.equal(html.split(big).length - 1, 1, 'the 100 KB file is in the page more than once');
});
