/**
 * Peak memory of a replay, in a process of its own so that nothing else the
 * harness holds counts. argv: journal file, or `--idle` for the same process
 * with the same modules loaded and no replay (the floor under the figure).
 * Replies with the kernel's high-water mark of resident memory, and the peak
 * of samples taken while the replay ran.
 */
import { replayJournal } from '../../../src/projector/replay.ts';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: replay-rss.ts JOURNAL|--idle');
let sampled = process.memoryUsage().rss;
const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 5);
const seen = file === '--idle' ? 0 : (await replayJournal(file)).count;
clearInterval(timer);
sampled = Math.max(sampled, process.memoryUsage().rss);
const mb = (bytes: number) => bytes / (1024 * 1024);
process.send!({ seen, maxRssMB: mb(process.resourceUsage().maxRSS * 1024), sampledMB: mb(sampled) });
process.disconnect();
