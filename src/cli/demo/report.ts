import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Roots } from '../../layout/roots.ts';
import { uiBundle } from '../../report/bundle.ts';
import { pageHtml } from '../../report/html.ts';
import { localReport } from '../../report/make.ts';
import { SANDBOX } from './lifecycle.ts';

/** The history as `vcstore report` writes it: one HTML file to open in a browser or attach to a ticket. */
export async function writeReport(root: string, roots: Roots, say: (line: string) => void): Promise<void> {
  say(`\n5. The post-mortem to attach to a ticket (vcstore report):`);
  const data = await localReport(roots, SANDBOX, { from: `--root ${root}` });
  const file = path.join(root, 'report.html');
  await writeFile(
    file,
    pageHtml({ mode: 'report', data }, await uiBundle(), { title: `vcstore report: ${SANDBOX}`, connect: 'none' }),
  );
  say(`   ${data.events.length} events, state lanes, every file and diff: open ${file} in a browser`);
}
