import { h, render } from 'preact';
import { unpackReport, type WireConfig } from '../wire.ts';
import { History } from './history.ts';
import { Live } from './live.ts';
import { ReportView } from './report-view.ts';

/** The page's one entry: its data is JSON in a script element, parsed, never markup. */
const element = document.getElementById('vcstore-data');
const config = JSON.parse(element?.textContent ?? '{"mode":"live"}') as WireConfig;
// Marks for whoever measures the page: the data parsed, the view drawn (performance.getEntriesByType('mark')).
performance.mark('vcstore:data');
const app = document.getElementById('app');
if (app) {
  render(
    config.mode === 'report'
      ? h(ReportView, { history: new History(unpackReport(config.data)), version: 0 })
      : h(Live, null),
    app,
  );
  performance.mark('vcstore:drawn');
  // For whoever measures the first paint: the time the first frame with the view is drawn.
  requestAnimationFrame(() => {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
  });
}
