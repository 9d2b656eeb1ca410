import { createHash } from 'node:crypto';
import { errIO } from '../errors.ts';
import type { PageConfig } from './types.ts';
import { packReport, type WireConfig } from './wire.ts';
import type { UiBundle } from './build-ui.ts';

/**
 * JSON that can sit inside a `<script>` element whatever strings it holds:
 * `<`, `>` and `&` are escaped (so no `</script>` or `<!--` ends or changes
 * the element) and U+2028/U+2029 too, as Go's encoding/json does.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Text for an HTML element or attribute. */
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The page's data as it travels: a report's events packed. */
const wireConfig = (config: PageConfig): WireConfig =>
  config.mode === 'report' ? { mode: 'report', data: packReport(config.data) } : config;

/**
 * The page: the bundle's script and styles and the data, inline. The data is
 * JSON in a script element that never runs; the page reads it with
 * JSON.parse and writes every value as text. The content security policy lets
 * only this script and these styles run, and the page reach nothing
 * (`connect: 'self'` for the live view, which reads the daemon it came from).
 */
export function pageHtml(config: PageConfig, ui: UiBundle, opts: { title: string; connect: 'none' | 'self' }): string {
  // A closing tag inside the bundle would end its element early: esbuild escapes them, this makes sure.
  if (/<\/script|<!--/i.test(ui.js) || /<\/style/i.test(ui.css))
    throw errIO('the report bundle holds a closing tag: rebuild it with npm run build');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(ui.js)}`,
    `style-src ${sha256(ui.css)}`,
    'img-src data:',
    `connect-src ${opts.connect === 'self' ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${ui.css}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    `<script type="application/json" id="vcstore-data">${scriptJson(wireConfig(config))}</script>`,
    `<script>${ui.js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
