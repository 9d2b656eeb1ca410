// Preloaded (--import) into a measured CLI run: writes the process's peak RSS, in kB, to $VCSTORE_RSS_OUT as it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.VCSTORE_RSS_OUT, String(process.resourceUsage().maxRSS)));
