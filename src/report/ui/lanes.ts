import { h, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Lane, Stretch } from './history.ts';

const LANE = 22;
const LABEL = 110;
/**
 * A lane with more stretches than this is drawn as one shape per state, not
 * an element per stretch: a long history's thousands of changes cost a few
 * elements, and the picture is the same (most are under a pixel wide anyway).
 */
export const DENSE = 200;

/** A colour per state name, the same on every page: derived from the name. */
function colourOf(state: string | null): string {
  if (state === null) return 'transparent';
  const known: Record<string, string> = {
    ready: '#9ecae1',
    running: '#74c476',
    paused: '#fdd0a2',
    stopped: '#bdbdbd',
    '?': '#fb6a4a',
  };
  const fixed = known[state];
  if (fixed) return fixed;
  let hash = 0;
  for (let i = 0; i < state.length; i++) hash = (hash * 31 + state.charCodeAt(i)) | 0;
  return `hsl(${Math.abs(hash) % 360} 55% 75%)`;
}

interface LanesProps {
  lanes: Lane[];
  rows: number;
  selected: number;
  onSelect: (index: number) => void;
}

/**
 * The `state` of each state.json over the history, one lane per sandbox and
 * container: x is the event's place in the history (not its time, so a burst
 * of changes in one second stays readable), colour the state.
 */
export function Lanes({ lanes, rows, selected, onSelect }: LanesProps): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(200, el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const x = (i: number) => LABEL + ((width - LABEL - 4) * i) / Math.max(1, rows);
  const height = Math.max(1, lanes.length) * LANE + 4;
  const body = lanes.map((lane, n) =>
    h(
      'g',
      { key: lane.path, 'data-lane': lane.name, transform: `translate(0 ${n * LANE + 2})` },
      h('text', { x: 4, y: LANE - 7, class: 'lane-name' }, lane.name),
      lane.stretches.length > DENSE
        ? denseLane(lane, x, rows, width, onSelect)
        : lane.stretches.map((s) => stretchOf(lane, s, x, onSelect)),
    ),
  );
  const mark =
    selected >= 0 ? h('line', { x1: x(selected), x2: x(selected), y1: 0, y2: height, class: 'cursor' }) : null;
  return h(
    'div',
    { class: 'lanes', ref: box },
    lanes.length === 0
      ? h('p', { class: 'empty' }, 'no state.json was ever written')
      : h('svg', { width, height, role: 'img', 'aria-label': 'state lanes' }, body, mark),
  );
}

/** One stretch as its own element, labelled when it is wide enough. */
function stretchOf(
  lane: Lane,
  s: Stretch,
  x: (i: number) => number,
  onSelect: (index: number) => void,
): ComponentChild {
  const x0 = x(s.from);
  const w = Math.max(2, x(s.to) - x0);
  return h(
    'g',
    {
      key: s.from,
      class: 'stretch',
      'data-state': s.state ?? '',
      'data-seq': s.seq,
      onClick: () => onSelect(s.from),
    },
    h('title', null, `${lane.name}: ${s.state ?? '(no state.json)'} from event #${s.seq}`),
    h('rect', {
      x: x0,
      y: 2,
      width: w,
      height: LANE - 4,
      fill: colourOf(s.state),
      stroke: s.state === null ? '#bbb' : 'none',
      'stroke-dasharray': s.state === null ? '3 3' : undefined,
    }),
    w > 8 * (s.state ?? '').length + 6 ? h('text', { x: x0 + 3, y: LANE - 8 }, s.state ?? '') : null,
  );
}

/**
 * A lane of many stretches: a path per state (each stretch a rectangle of
 * it), and one target over the lane that selects the event which set the
 * state under the pointer.
 */
function denseLane(
  lane: Lane,
  x: (i: number) => number,
  rows: number,
  width: number,
  onSelect: (index: number) => void,
): ComponentChild[] {
  const shapes = new Map<string | null, string[]>();
  for (const s of lane.stretches) {
    const x0 = x(s.from);
    const w = Math.max(0.5, x(s.to) - x0);
    let d = shapes.get(s.state);
    if (d === undefined) shapes.set(s.state, (d = []));
    // Tenths of a pixel are plenty, and rounding is much cheaper than toFixed over thousands of stretches.
    const left = Math.round(x0 * 10) / 10;
    const dx = Math.round(w * 100) / 100;
    d.push(`M${left} 2h${dx}v${LANE - 4}h${-dx}z`);
  }
  const stretches = lane.stretches;
  const select = (e: MouseEvent) => {
    const box = (e.currentTarget as SVGRectElement).getBoundingClientRect();
    const at = ((e.clientX - box.left) / Math.max(1, box.width)) * rows;
    // The last stretch that starts at or before that event.
    let lo = 0;
    let hi = stretches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((stretches[mid]?.from ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    const hit = stretches[lo];
    if (hit) onSelect(hit.from);
  };
  const states = [...shapes.keys()].map((s) => s ?? '(no state.json)').join(', ');
  return [
    ...[...shapes].map(([state, d]) =>
      h('path', {
        key: `s:${state ?? ''}`,
        class: 'dense',
        'data-state': state ?? '',
        d: d.join(''),
        fill: colourOf(state),
        stroke: state === null ? '#bbb' : 'none',
      }),
    ),
    h(
      'rect',
      {
        key: 'target',
        class: 'target',
        x: LABEL,
        y: 2,
        width: Math.max(1, width - LABEL - 4),
        height: LANE - 4,
        fill: 'transparent',
        onClick: select,
      },
      h('title', null, `${lane.name}: ${stretches.length} changes of state (${states}); click to see the event`),
    ),
  ];
}
