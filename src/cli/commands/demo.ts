import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import fse from 'fs-extra';
import { errUsage } from '../../errors.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { Store } from '../../store/store.ts';
import { crashMidWrite } from '../demo/crash.ts';
import { SANDBOX, lifecycle } from '../demo/lifecycle.ts';
import { askHistory } from '../demo/questions.ts';
import { writeReport } from '../demo/report.ts';
import { say } from '../audit-args.ts';

const MARK = '.vcstore-demo';

export function demoCommand(command: Command, log: () => Logger): void {
  command
    .option('--root <dir>', 'where to put the demo tree (made anew on each run)', 'vcstore-demo')
    .action(async (opts: { root: string }) => {
      const root = path.resolve(opts.root);
      const roots = rootsUnder(root);
      await freshRoot(root);
      const store = new Store({ roots, log: log() });
      await lifecycle(store, say);
      await store.close();

      await crashMidWrite(root, roots, say);

      say('\n3. The recovery (vcstore recover): the journal is the truth, the tree is rebuilt from it.');
      say("   (the killed writer's lock is taken over at once: its process is provably gone)");
      const recovery = new Store({ roots, log: log() });
      const done = await recovery.recover(SANDBOX);
      say(`   rebuilt ${done.rebuilt.join(', ') || 'nothing'}; removed ${done.temps.join(', ') || 'no temp file'}`);
      say(`   fetchSandboxState now returns ${JSON.stringify(await recovery.fetchSandboxState(SANDBOX))}`);
      await recovery.close();

      await askHistory(roots, say);
      await writeReport(root, roots, say);
      say(`\nThe tree is under ${root}; try: npm run vcstore -- log --root ${opts.root} --sandbox ${SANDBOX}`);
    });
}

/** The demo owns its folder: it is wiped only when an earlier demo made it. */
async function freshRoot(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => undefined);
  if (entries && entries.length > 0) {
    if (!entries.includes(MARK)) {
      throw errUsage(`${root} exists and was not made by vcstore demo; choose another --root`);
    }
    await fse.remove(root);
  }
  await fse.ensureDir(root);
  await writeFile(path.join(root, MARK), 'made by vcstore demo; safe to delete\n');
}
