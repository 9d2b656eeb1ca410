import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEVIATIONS } from '../conformance/deviations.ts';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(
  'interop - a Go client of the legacy resourceStorage replays every fixture through vcstore serve',
  { timeout: 15 * 60_000 },
  async (t) => {
    if (!hasGo()) return t.skip('needs go (apt-get install -y golang-go)');
    const tmp = await tempDir(t, 'go');
    // The Go test checks the same deviations as the TypeScript conformance test: this table, as JSON.
    const deviations = path.join(tmp, 'deviations.json');
    const table = Object.fromEntries(
      [...DEVIATIONS].map(([op, d]) => [op, { code: d.code ?? '', untouched: d.effects === 'none' }]),
    );
    await writeFile(deviations, JSON.stringify(table));
    const env = {
      ...process.env,
      // Offline and self-contained: no module downloads, caches in the temp folder.
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOCACHE: path.join(tmp, 'cache'),
      GOPATH: path.join(tmp, 'gopath'),
      TMPDIR: tmp,
      VCSTORE_SERVE: `${process.execPath} ${CLI.join(' ')} serve`,
      VCSTORE_FIXTURES: path.join(REPO, 'fixtures/legacy-go'),
      VCSTORE_DEVIATIONS: deviations,
    };
    const child = spawn('go', ['test', '-count=1', '-v', './...'], { cwd: path.join(HERE, 'go'), env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(
      code,
      0,
      output
        .split('\n')
        .filter((l) => !l.startsWith('=== '))
        .join('\n'),
    );
    // Every scenario ran: none was skipped for a missing variable.
    assert.equal((output.match(/--- PASS: TestLegacyFixturesOverTheSocket\//g) ?? []).length, 18, output);
    assert.match(output, /--- PASS: TestClientRoundTripsGoValues/);
  },
);
