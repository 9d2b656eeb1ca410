import { h, type ComponentChild } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { ReportData } from '../types.ts';
import { Detail } from './detail.ts';
import { FilterBar, linesOf, NO_FILTER, type Filter } from './filters.ts';
import type { History } from './history.ts';
import { Lanes } from './lanes.ts';
import { Timeline } from './timeline.ts';

interface ReportViewProps {
  history: History;
  /** changes whenever the history grew (the live view), so what depends on it is worked out again */
  version: number;
  /** a line under the title: where the view comes from */
  status?: string;
}

/** The whole view of one sandbox's history: header, lanes, filters, timeline and the selected event. */
export function ReportView({ history, version, status }: ReportViewProps): ComponentChild {
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [selected, setSelected] = useState(-1);
  const lines = useMemo(() => linesOf(history, filter), [history, version, filter]);
  const lanes = useMemo(() => history.lanes(), [history, version]);
  const reveal = useMemo(() => lines.findIndex((l) => l.kind === 'event' && l.index === selected), [lines, selected]);
  const shown = lines.reduce((n, l) => n + (l.kind === 'event' ? 1 : 0), 0);
  return h(
    'div',
    { class: 'report' },
    h(Header, { data: history.data, events: history.rows.length, ...(status ? { status } : {}) }),
    h(Lanes, { lanes, rows: history.rows.length, selected, onSelect: setSelected }),
    h(FilterBar, { history, filter, shown, onChange: setFilter }),
    h(
      'div',
      { class: 'main' },
      h(Timeline, {
        lines,
        rows: history.rows,
        boots: history.data.boots,
        sandbox: history.data.sandbox,
        selected,
        reveal,
        onSelect: setSelected,
      }),
      h(Detail, { history, index: selected, onSelect: setSelected }),
    ),
  );
}

function Header({ data, events, status }: { data: ReportData; events: number; status?: string }): ComponentChild {
  const head = data.head;
  const until = data.made.until;
  return h(
    'header',
    null,
    h('h1', null, 'sandbox ', h('span', { class: 'sandbox' }, data.sandbox)),
    h(
      'p',
      { class: 'made' },
      `${events} events · read from ${data.made.from} · made ${data.made.time} by vcstore ${data.made.version}`,
      until ? ` · up to ${until.seq !== undefined ? `event ${until.seq}` : `time ${until.time ?? ''}`}` : '',
      status ? ` · ${status}` : '',
    ),
    h(
      'p',
      { class: 'head' },
      'journal head: ',
      h('span', { class: 'head-seq' }, `seq ${head.seq}`),
      ' ',
      h('code', { class: 'head-hash' }, head.hash || '(empty journal)'),
      ' · ',
      h(
        'span',
        { class: data.verify.clean ? 'verify clean' : 'verify dirty', 'data-clean': String(data.verify.clean) },
        data.verify.clean
          ? `verify clean (${data.verify.checked})`
          : `verify found problems (${data.verify.checked}): ${data.verify.problems.join('; ')}`,
      ),
    ),
  );
}
