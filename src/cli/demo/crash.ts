import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Roots } from '../../layout/roots.ts';
import { verifySandbox } from '../../recovery/verify.ts';
import { SANDBOX } from './lifecycle.ts';

/**
 * A runtime process is killed (SIGKILL) in the middle of a store: its event is
 * durable, its new state.json is still a temp file, not yet renamed.
 */
export async function crashMidWrite(root: string, roots: Roots, say: (line: string) => void): Promise<void> {
  say(`\n2. A crash: a process storing state "paused" is killed between writing the temp file and renaming it.`);
  const ops = path.join(root, 'crash-ops.json');
  const op = {
    method: 'storeSandboxResource',
    sandboxID: SANDBOX,
    resource: 'stateFileType',
    goType: 'virtcontainers.State',
    data: { state: 'paused' },
  };
  await writeFile(ops, JSON.stringify([op]));
  // The CLI that runs the demo, started the same way: the package's bin, or the sources under tsx.
  const bin = process.argv[1] ?? '';
  const child = spawnSync(process.execPath, [...process.execArgv, bin, 'apply', '--root', root, ops], {
    env: { ...process.env, VCSTORE_FAILPOINT: 'temp-written', VCSTORE_LOG: '' },
    encoding: 'utf8',
  });
  say(`   the process ended with ${child.signal ?? `exit code ${child.status}`}`);
  const stateFile = path.join(roots.run, SANDBOX, 'state.json');
  say(`   state.json still holds ${await readFile(stateFile, 'utf8')}`);
  const verdict = await verifySandbox(roots, SANDBOX);
  say(
    `   vcstore verify: ${verdict.consistent ? 'consistent' : verdict.drift.map((d) => `${d.problem} ${d.path}`).join('; ')}`,
  );
}
