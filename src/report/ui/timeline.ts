import { h, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventRow, Finding } from '../types.ts';
import { describeRow, marksOf, SOURCE_NAMES } from './describe.ts';

/** Every row is this tall, so the list knows where any row is without drawing the others. */
export const ROW_HEIGHT = 24;
const OVERSCAN = 10;

/** A line of the timeline: an event (by its index in the history), or a finding after one. */
export type Line = { kind: 'event'; index: number } | { kind: 'finding'; finding: Finding };

interface TimelineProps {
  lines: Line[];
  rows: EventRow[];
  boots: string[];
  sandbox: string;
  selected: number;
  onSelect: (index: number) => void;
  /** a line to bring into view when it changes (the selected event) */
  reveal: number;
}

/** The events, drawn only where the list is scrolled to: ten thousand rows cost what forty do. */
export function Timeline(props: TimelineProps): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el || props.reveal < 0) return;
    const y = props.reveal * ROW_HEIGHT;
    if (y < el.scrollTop || y + ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = Math.max(0, y - el.clientHeight / 2);
  }, [props.reveal]);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(props.lines.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const drawn: ComponentChild[] = [];
  for (let i = first; i < last; i++) {
    const line = props.lines[i];
    if (line) drawn.push(lineOf(line, i, props));
  }
  return h(
    'div',
    {
      class: 'timeline',
      ref: box,
      role: 'list',
      'data-lines': props.lines.length,
      onScroll: (e: Event) => setTop((e.currentTarget as HTMLElement).scrollTop),
    },
    h('div', { class: 'spacer', style: { height: `${props.lines.length * ROW_HEIGHT}px` } }, drawn),
  );
}

function lineOf(line: Line, i: number, props: TimelineProps): ComponentChild {
  const style = { top: `${i * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px` };
  if (line.kind === 'finding')
    return h(
      'div',
      { key: `f${i}`, class: `row finding ${line.finding.kind}`, style, role: 'listitem', title: line.finding.text },
      h('span', { class: 'mark' }, line.finding.kind),
      h('span', { class: 'what' }, line.finding.text),
    );
  const row = props.rows[line.index];
  if (!row) return h('div', { key: `e${i}` });
  const marks = marksOf(row);
  const boot = props.boots[row.boot] ?? '';
  return h(
    'div',
    {
      key: `e${row.seq}`,
      class: `row event op-${row.op} src-${row.source}${line.index === props.selected ? ' selected' : ''}`,
      style,
      role: 'listitem',
      'data-seq': row.seq,
      onClick: () => props.onSelect(line.index),
    },
    h('span', { class: 'seq' }, `#${row.seq}`),
    h('span', { class: 'time', title: row.time }, row.time.slice(5).replace('T', ' ').replace('Z', '')),
    h('span', { class: 'op' }, row.op),
    h('span', { class: 'res' }, row.resource ?? (row.op === 'observe' ? (row.path?.split('/').at(-1) ?? '') : '')),
    h('span', { class: 'ctr' }, row.container ?? ''),
    h('span', { class: 'src' }, SOURCE_NAMES[row.source]),
    h('span', { class: 'pid', title: `boot ${boot}` }, `${row.pid} · ${boot.slice(0, 8)}`),
    h(
      'span',
      { class: 'what' },
      marks.map((m) => h('span', { class: `mark ${m}` }, m)),
      describeRow(row, props.sandbox),
    ),
  );
}
