/** Where a bar is drawn: stderr, or a stand-in in tests. */
export interface BarStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface JobSize {
  /** the whole job in units (bytes of journal, sandboxes, or events: what `ship` counts) */
  total: number;
  unit: 'bytes' | 'sandboxes' | 'events';
  /** how many sandboxes the job covers, counted as each one ends (when the unit is bytes) */
  sandboxes?: number;
}

export interface ProgressBar {
  /** how far the whole job has got, in its units (and its total, where only the work knows it) */
  set(done: number, total?: number): void;
  /** one more sandbox finished */
  finished(): void;
  /** writes a line of output (to stdout) without tearing the bar */
  print(line: string): void;
  /** erases the bar, leaving the line as it was */
  done(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

const mb = (n: number) => `${(n / 1e6).toFixed(1)}`;

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One bar for a command's whole job (not one per sandbox): percentage, counts,
 * and an ETA from the rate so far. Drawn only on a terminal, at most every
 * 100 ms, so a job over many small journals does not flood it; when stderr is
 * a pipe or a file nothing is written, so logs and scripts never see it.
 * Our own rather than cli-progress: this is all the CLI needs, and it loads
 * nothing at start-up.
 */
export function progressBar(
  label: string,
  size: JobSize,
  stream: BarStream = process.stderr,
  now: () => number = Date.now,
): ProgressBar {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!stream.isTTY) return { set() {}, finished() {}, print: out, done() {} };
  const started = now();
  let total = size.total;
  let done = 0;
  let sandboxes = 0;
  let shown = '';
  let drawnAt = 0;

  const text = (): string => {
    const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const cells = Math.round(ratio * WIDTH);
    const parts = [`${label} [${'#'.repeat(cells)}${' '.repeat(WIDTH - cells)}] ${Math.floor(ratio * 100)}%`];
    if (size.unit === 'sandboxes') parts.push(`${done}/${total} sandboxes`);
    else if (size.unit === 'events') parts.push(`${done}/${total} events`);
    else {
      if (size.sandboxes !== undefined) parts.push(`${sandboxes}/${size.sandboxes} sandboxes`);
      parts.push(`${mb(Math.min(done, total))}/${mb(total)} MB`);
    }
    const elapsed = (now() - started) / 1000;
    if (elapsed >= 0.5 && ratio > 0 && ratio < 1) parts.push(`ETA ${duration((elapsed * (1 - ratio)) / ratio)}`);
    const line = parts.join(' · ');
    return stream.columns ? line.slice(0, stream.columns - 1) : line;
  };
  const draw = (force: boolean) => {
    if (!force && now() - drawnAt < REDRAW_MS) return;
    const line = text();
    drawnAt = now();
    if (line === shown) return;
    shown = line;
    stream.write(`\r\x1b[K${line}`);
  };
  const erase = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = '';
  };
  return {
    set(n, all) {
      done = n;
      if (all !== undefined) total = all;
      draw(false);
    },
    finished() {
      sandboxes++;
      if (size.unit === 'sandboxes') done = sandboxes;
      draw(false);
    },
    print(line) {
      erase();
      out(line);
      draw(false); // a stream of rows must not cost a redraw each
    },
    done: erase,
  };
}
