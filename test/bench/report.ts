/**
 * A figure is only meaningful next to its baseline, so the unit of output is
 * a row: one figure against one baseline, with the ratio and, where the issue
 * sets one, the target that ratio must meet. An absolute target (events/s, MB)
 * is a row whose baseline is the target itself.
 */
export type Unit = 'ops/s' | 'events/s' | 'ms' | 'MB' | 'B' | '%' | 'calls' | 'µs';

export interface Target {
  op: '>=' | '<=' | '<';
  /** bound on the ratio */
  ratio: number;
}

export interface Row {
  suite: string;
  figure: string;
  /** null: could not be measured here (see note) */
  value: number | null;
  unit: Unit;
  baseline?: string;
  baselineValue?: number | null;
  ratio?: number | null;
  target?: Target;
  met?: boolean | null;
  note?: string;
  /** the figure's value in each round, where it was measured in rounds */
  samples?: number[];
}

/** Attaches each figure's round-by-round values, so a reader can see how much the disk drifted. */
export function withSamples(rows: Row[], samples: (figure: string) => number[] | undefined): Row[] {
  return rows.map((r) => {
    const s = samples(r.figure);
    return s ? { ...r, samples: s } : r;
  });
}

/** Half the range of the rounds, relative to the median: how far to trust the figure. */
export function spread(r: Row): string {
  if (!r.samples || r.samples.length < 2 || !r.value) return '';
  return `±${Math.round((50 * (Math.max(...r.samples) - Math.min(...r.samples))) / r.value)}%`;
}

/** A row comparing `value` with `baseline`; ratio, and whether the target is met, are derived. */
export function compare(
  suite: string,
  figure: string,
  value: number | null,
  unit: Unit,
  baseline: string,
  baselineValue: number | null,
  target?: Target,
  note?: string,
): Row {
  const ratio = value === null || baselineValue === null || baselineValue === 0 ? null : value / baselineValue;
  return {
    suite,
    figure,
    value,
    unit,
    baseline,
    baselineValue,
    ratio,
    ...(target ? { target, met: meets(ratio, target) } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

/** A row for a figure that is a baseline itself. */
export const alone = (suite: string, figure: string, value: number | null, unit: Unit, note?: string): Row => ({
  suite,
  figure,
  value,
  unit,
  ...(note !== undefined ? { note } : {}),
});

function meets(ratio: number | null, t: Target): boolean | null {
  if (ratio === null) return null;
  return t.op === '>=' ? ratio >= t.ratio : t.op === '<=' ? ratio <= t.ratio : ratio < t.ratio;
}

const num = (v: number | null | undefined, unit?: Unit): string => {
  if (v === null) return 'n/a';
  if (v === undefined) return '';
  if (unit === 'ms' || unit === 'MB' || unit === '%') return v.toFixed(v < 10 ? 2 : 1);
  if (unit === 'calls') return v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
};

export const ratioText = (r: number | null | undefined) =>
  r === undefined ? '' : r === null ? 'n/a' : `${r.toFixed(2)}×`;
export const targetText = (t?: Target) => (t ? `${t.op === '>=' ? '≥' : t.op === '<=' ? '≤' : '<'} ${t.ratio}×` : '');
const metText = (m: boolean | null | undefined) => (m === undefined ? '' : m === null ? 'n/a' : m ? 'yes' : 'NO');

/** One row's cells, in the order of both tables' columns. */
const cellsOf = (r: Row): string[] => [
  r.figure,
  num(r.value, r.unit),
  r.unit,
  spread(r),
  r.baseline ?? '—',
  num(r.baselineValue, r.unit),
  ratioText(r.ratio),
  targetText(r.target),
  metText(r.met),
];

/** A plain-text table, one row per comparison, then the notes. */
export function table(rows: Row[]): string {
  const head = ['figure', 'value', 'unit', 'rounds', 'baseline', 'baseline value', 'ratio', 'target', 'met'];
  const body = rows.map(cellsOf);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]?.length ?? 0)));
  const right = new Set([1, 3, 5, 6]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w)))];
  let suite = '';
  for (const [i, r] of rows.entries()) {
    if (r.suite !== suite && i > 0) out.push('');
    suite = r.suite;
    out.push(line(body[i] ?? []));
  }
  const notes = rows
    .filter((r) => r.note)
    .map((r) => `- ${r.figure}${r.baseline ? ` vs ${r.baseline}` : ''}: ${r.note}`);
  return [...out, ...(notes.length ? ['', 'notes:', ...new Set(notes)] : [])].join('\n');
}

/** The same rows as a Markdown table, for docs/performance.md. */
export function markdown(rows: Row[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    '| figure | value | unit | rounds | baseline | baseline value | ratio | target | met |',
    '|---|--:|---|--:|---|--:|--:|---|---|',
  ];
  for (const r of rows) out.push(`| ${cellsOf(r).map(cell).join(' | ')} |`);
  return out.join('\n');
}
