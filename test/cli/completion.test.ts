import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp.ts';
import { vcstoreAsync } from '../helpers/cli.ts';

/** What bash offers for the words typed so far (the last one being completed), from the script sourced. */
function bashOffers(script: string, words: string[]): string[] {
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vcstore; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      script,
      'vcstore',
      ...words,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter(Boolean);
}

test('cli completion - bash completes commands and each command own options', async (t) => {
  const dir = await tempDir(t, 'completion');
  const out = await vcstoreAsync(['completion', 'bash']);
  assert.equal(out.code, 0, out.stderr);
  const script = path.join(dir, 'vcstore.bash');
  await writeFile(script, out.stdout);
  assert.deepEqual(bashOffers(script, ['ve']), ['verify']);
  assert.deepEqual(bashOffers(script, ['s']), ['show', 'ship', 'serve']);
  assert.deepEqual(bashOffers(script, ['serve', '--so']), ['--socket', '--socket-group']);
  assert.deepEqual(bashOffers(script, ['--log-level', 'debug', 'log', '--fol']), ['--follow']);
  assert.deepEqual(bashOffers(script, ['--log-level', 'wa']), ['warn']);
  assert.deepEqual(bashOffers(script, ['apply', 'ops']), [], 'a file argument falls back to file names');
});

test('cli completion - zsh gets a #compdef script that parses; an unknown shell is a usage error', async () => {
  const [zsh, fish] = [await vcstoreAsync(['completion', 'zsh']), await vcstoreAsync(['completion', 'fish'])];
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^#compdef vcstore\n/);
  assert.match(zsh.stdout, /'verify:check every journal/);
  assert.match(zsh.stdout, /serve\) opts=\([^\n]*'--socket:the unix socket/);
  const parse = spawnSync('zsh', ['-n'], { input: zsh.stdout, encoding: 'utf8' });
  if (parse.error) console.log('# zsh not installed (apt-get install -y zsh): the zsh script is not parsed');
  else assert.equal(parse.status, 0, parse.stderr);
  assert.equal(fish.code, 2);
  assert.match(fish.stderr, /^vcstore: EUSAGE: .*'fish'.*bash, zsh/);
});
