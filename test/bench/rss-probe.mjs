// Preloaded (--import) into a measured CLI run: writes the process's peak RSS, in kB, to $VCSTORE_RSS_OUT as it exits.
// The kernel's high-water mark of this process's memory (VmHWM): rusage's maxRSS also carries the peak of the
// process that forked it, which survives exec.
import { readFileSync, writeFileSync } from 'node:fs';

const peakKb = () => /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];

process.on('exit', () =>
  writeFileSync(process.env.VCSTORE_RSS_OUT, peakKb() ?? String(process.resourceUsage().maxRSS)),
);
