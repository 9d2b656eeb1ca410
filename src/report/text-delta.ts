/**
 * A text as the edits that make it from an earlier one (the same file's
 * previous version): a long history stores the same file again and again
 * with a field or two changed, and the report carries each version as those
 * changes. Shared by the Node side that writes them and the page that reads
 * them; imports nothing.
 */

/**
 * Text `base`'s index, then the edits, in order, along a cursor in the base:
 * a number n > 0 copies n UTF-16 units from it, -n skips n of them, a string
 * is inserted as it is.
 */
export type TextDelta = [base: number, ...edits: Array<number | string>];

/** How far ahead a change is looked for its end, and how long a run of equal text ends it. */
const LOOK = 64;
const ANCHOR = 8;
/** How far in the base a run of equal text is looked for (a file is rarely rewritten further apart). */
const REACH = 4096;

/** The edits from `from` to `text`, or undefined when they would not be much shorter than the text. */
export function editsOf(text: string, from: string): Array<number | string> | undefined {
  const edits: Array<number | string> = [];
  let cost = 0;
  let i = 0;
  let j = 0;
  while (i < text.length) {
    let run = 0;
    while (i + run < text.length && j + run < from.length && text.charCodeAt(i + run) === from.charCodeAt(j + run))
      run++;
    if (run > 0) {
      edits.push(run);
      cost += 6;
      i += run;
      j += run;
      if (i >= text.length) break;
    }
    // The change ends where a run of ANCHOR units of the text is found again in the base, close ahead.
    const ahead = from.slice(j, j + REACH + ANCHOR);
    let synced = false;
    for (let d = 0; d <= LOOK && i + d + ANCHOR <= text.length; d++) {
      const at = ahead.indexOf(text.slice(i + d, i + d + ANCHOR));
      if (at < 0) continue;
      if (d > 0) edits.push(text.slice(i, i + d));
      if (at > 0) edits.push(-at);
      cost += d + 8;
      i += d;
      j += at;
      synced = true;
      break;
    }
    if (!synced) {
      edits.push(text.slice(i));
      cost += text.length - i + 4;
      break;
    }
    if (cost + 24 >= text.length) return undefined;
  }
  return cost + 24 < text.length ? edits : undefined;
}

/** The text the edits make from `from`. */
export function applyEdits(from: string, edits: ReadonlyArray<number | string>, start = 0): string {
  const out: string[] = [];
  let j = 0;
  for (let k = start; k < edits.length; k++) {
    const edit = edits[k];
    if (typeof edit === 'string') out.push(edit);
    else if (edit !== undefined && edit > 0) {
      out.push(from.slice(j, j + edit));
      j += edit;
    } else if (edit !== undefined) j -= edit;
  }
  return out.join('');
}
