import { h, type ComponentChild } from 'preact';
import { useState } from 'preact/hooks';
import { diffJson, jsonText, type FieldChange } from '../../audit/json-diff.ts';
import { parseJson } from '../../legacy/json-parse.ts';
import type { History } from './history.ts';
import { describeRow, SOURCE_NAMES } from './describe.ts';
import { prettyJson } from './pretty.ts';

interface DetailProps {
  history: History;
  index: number;
  onSelect: (index: number) => void;
}

/** One event: its fields, the files it changed, and a file as it was right after it with its diff. */
export function Detail({ history, index, onSelect }: DetailProps): ComponentChild {
  const row = history.rows[index];
  const [chosen, setChosen] = useState<{ index: number; path: string } | undefined>(undefined);
  if (!row) return h('div', { class: 'detail empty' }, 'Click an event to see the legacy file as it was then.');
  const tree = history.treeAt(index);
  const changed = row.files.map(([p]) => history.path(p));
  const path = chosen?.index === index ? chosen.path : (changed[0] ?? [...tree.keys()][0]);
  const boot = history.data.boots[row.boot] ?? '';
  const fields: Array<[string, string]> = [
    ['seq', String(row.seq)],
    ['time', row.time],
    ['op', row.op],
    ['written by', SOURCE_NAMES[row.source]],
    ['pid', row.op === 'observe' ? `${row.pid} (vcstore's; the outside writer's is unknown)` : String(row.pid)],
    ['boot', boot],
  ];
  if (row.resource !== undefined) fields.push(['resource', row.resource]);
  if (row.container !== undefined) fields.push(['container', row.container]);
  if (row.path !== undefined) fields.push(['path', row.path]);
  const paths = [...new Set([...changed, ...tree.keys()])].sort();
  return h(
    'div',
    { class: 'detail', 'data-seq': row.seq },
    h('h2', null, `#${row.seq} ${describeRow(row, history.data.sandbox)}`),
    h(
      'dl',
      null,
      fields.map(([k, v]) => [h('dt', { key: `k${k}` }, k), h('dd', { key: `v${k}` }, v)]),
    ),
    row.seen !== undefined ? seenBlock(history, row.seen) : null,
    h(
      'label',
      { class: 'file-pick' },
      'file: ',
      h(
        'select',
        {
          value: path ?? '',
          onChange: (e: Event) => setChosen({ index, path: (e.currentTarget as HTMLSelectElement).value }),
        },
        paths.map((p) => h('option', { key: p, value: p }, `${p}${changed.includes(p) ? ' (changed here)' : ''}`)),
      ),
    ),
    path === undefined
      ? h('p', null, 'The tree holds no file at this point.')
      : fileBlock(history, index, path, tree, onSelect),
  );
}

function seenBlock(history: History, seen: number): ComponentChild {
  const text = history.text(seen) ?? '';
  return h(
    'section',
    { class: 'seen' },
    h('h3', null, 'found on disk (an outside write, undone: the journal’s content was written back)'),
    h('pre', { class: 'bytes' }, history.isBinary(seen) ? `base64: ${text}` : text),
  );
}

function fileBlock(
  history: History,
  index: number,
  path: string,
  tree: Map<string, number>,
  onSelect: (index: number) => void,
): ComponentChild {
  const at = tree.get(path);
  const pathIndex = history.data.paths.indexOf(path);
  // The event at or before this one that made the file what it is, and the one before that.
  const setter = history.previousChange(index + 1, pathIndex);
  const before = history.rows[setter]?.files.find(([p]) => p === pathIndex)?.[1] ?? -1;
  const previous = setter >= 0 ? history.previousChange(setter, pathIndex) : -1;
  const text = at === undefined ? undefined : history.text(at);
  const binary = at !== undefined && history.isBinary(at);
  return h(
    'section',
    { class: 'file', 'data-path': path },
    h('h3', null, `${path} right after #${history.rows[index]?.seq ?? '?'}`),
    text === undefined
      ? h('p', { class: 'absent' }, 'did not exist')
      : h(Content, { key: `${index}:${path}`, text, binary }),
    h(
      'h3',
      null,
      setter === index || setter < 0
        ? 'diff from its previous version'
        : `diff from its previous version (last changed by #${history.rows[setter]?.seq ?? '?'})`,
    ),
    previous >= 0
      ? h(
          'p',
          { class: 'prev' },
          'previous version: ',
          h('button', { class: 'link', onClick: () => onSelect(previous) }, `#${history.rows[previous]?.seq ?? ''}`),
        )
      : h('p', { class: 'prev' }, 'no earlier version'),
    h(Diff, { before: history.text(before), after: text }),
  );
}

/** A file's text: pretty-printed when it is JSON, and its exact bytes. */
function Content({ text, binary }: { text: string; binary: boolean }): ComponentChild {
  const pretty = binary ? undefined : prettyJson(text);
  const [exact, setExact] = useState(pretty === undefined);
  return h(
    'div',
    { class: 'content' },
    h(
      'div',
      { class: 'tabs' },
      h(
        'button',
        { class: exact ? '' : 'on', disabled: pretty === undefined, onClick: () => setExact(false) },
        'pretty',
      ),
      h('button', { class: exact ? 'on' : '', onClick: () => setExact(true) }, 'exact bytes'),
      h(
        'span',
        { class: 'size' },
        binary ? 'not UTF-8: base64 shown' : `${new TextEncoder().encode(text).length} bytes`,
      ),
    ),
    h('pre', { class: exact ? 'bytes exact' : 'bytes pretty' }, exact ? text : pretty),
  );
}

/** The fields that differ, as `vcstore diff` lists them. */
function Diff({ before, after }: { before: string | undefined; after: string | undefined }): ComponentChild {
  if (before === after) return h('p', { class: 'diff none' }, 'unchanged');
  if (before === undefined) return h('p', { class: 'diff' }, '+ the file was created');
  if (after === undefined) return h('p', { class: 'diff' }, '- the file was removed');
  const fields = diffJson(valueOf(before), valueOf(after));
  if (fields.length === 0) return h('p', { class: 'diff' }, '(same values, different bytes)');
  return h(
    'ul',
    { class: 'diff' },
    fields.map((f, i) => h('li', { key: i, class: `d-${f.change}` }, lineOf(f))),
  );
}

function lineOf(f: FieldChange): string {
  const name = f.field || '(whole file)';
  if (f.change === 'changed') return `~ ${name}: ${jsonText(f.from)} -> ${jsonText(f.to)}`;
  if (f.change === 'added') return `+ ${name}: ${jsonText(f.to)}`;
  return `- ${name}: ${jsonText(f.from)}`;
}

/** As `vcstore diff` reads a file: lossless JSON, or the raw text when it is not JSON. */
function valueOf(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}
