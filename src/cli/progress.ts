/** Where a bar is drawn: stderr, or a stand-in in tests. */
export interface BarStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** erases the bar, leaving the line as it was */
  done(): void;
}

const WIDTH = 30;

/**
 * A one-line progress bar for long reads, on a terminal only: when stderr is
 * a pipe or a file, nothing is written, so logs and scripts never see it.
 * It redraws only when the filled width or the percentage changes.
 */
export function progressBar(label: string, stream: BarStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  let shown = '';
  return {
    update(done, total) {
      const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
      const cells = Math.round(ratio * WIDTH);
      const line = `${label} [${'#'.repeat(cells)}${' '.repeat(WIDTH - cells)}] ${Math.floor(ratio * 100)}%`;
      if (line === shown) return;
      shown = line;
      stream.write(`\r${line}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = '';
    },
  };
}
