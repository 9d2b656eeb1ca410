import { diffPoints } from '../../audit/diff.ts';
import { journalHead } from '../../audit/head.ts';
import { history } from '../../audit/history.ts';
import { jsonText } from '../../audit/json-diff.ts';
import { resourceAt } from '../../audit/show.ts';
import { journalFile, type Roots } from '../../layout/roots.ts';
import { describeEvent } from '../format.ts';
import { SANDBOX } from './lifecycle.ts';

/** What an operator asks after the incident, answered from the journal alone. */
export async function askHistory(roots: Roots, say: (line: string) => void): Promise<void> {
  const file = journalFile(roots, SANDBOX);
  say(`\n4. Questions answered from the history (vcstore log / show / diff / head):`);
  say(`   Who changed the sandbox state, and when?  (vcstore log --resource state)`);
  let firstRunning = 0;
  for await (const event of history(file, { resource: 'state' })) {
    if (event.op !== 'store' || event.container) continue;
    say(`     ${describeEvent(event)}: ${event.payload ?? ''}`);
    if (!firstRunning && event.payload?.includes('"running"')) firstRunning = event.seq;
  }
  const before = firstRunning - 1;
  const then = await resourceAt(file, { sandbox: SANDBOX, resource: 'state' }, { seq: before });
  say(`   What did state.json hold just before it first said running?  (vcstore show --at ${before})`);
  say(`     ${then.content ?? '(no file)'}`);
  const head = await journalHead(file);
  say(`   What changed from then to now?  (vcstore diff --from ${before} --to ${head.seq})`);
  for (const change of await diffPoints(file, before, head.seq)) {
    const fields = change.fields?.map((f) => `${f.field}: ${jsonText(f.from)} -> ${jsonText(f.to)}`).join(', ');
    say(`     ${change.change} ${change.path}${fields ? ` (${fields})` : ''}`);
  }
  say(`   A digest to record elsewhere, to prove later that this history was not rewritten:  (vcstore head)`);
  say(`     event ${head.seq}, ${head.hash}`);
}
