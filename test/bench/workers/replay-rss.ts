/**
 * Peak memory of a replay, in a process of its own so that nothing else the
 * harness holds counts. argv: journal file, or `--idle` for the same process
 * with the same modules loaded and no replay (the floor under the figure).
 * Replies with the high-water mark of this process's resident memory, and
 * the peak of samples taken while the replay ran.
 */
import { readFileSync } from 'node:fs';
import { replayJournal } from '../../../src/projector/replay.ts';

/**
 * VmHWM of /proc/self/status: the peak of this process image alone. The
 * rusage maxRSS is not: Linux carries the pre-exec high-water mark over
 * exec, and right after fork that is the (shared) memory of the harness.
 */
function highWaterBytes(): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb === undefined ? process.resourceUsage().maxRSS * 1024 : Number(kb) * 1024;
}

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: replay-rss.ts JOURNAL|--idle');
let sampled = process.memoryUsage().rss;
const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 5);
const seen = file === undefined || file === '--idle' ? 0 : (await replayJournal(file)).count;
clearInterval(timer);
sampled = Math.max(sampled, process.memoryUsage().rss);
const mb = (bytes: number) => bytes / (1024 * 1024);
process.send!({ seen, maxRssMB: mb(highWaterBytes()), sampledMB: mb(sampled) });
process.disconnect();
