import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { goEnv, runGo, SERVE_COMMAND, skipWithoutGo, withoutRunLines } from '../helpers/go.ts';
import { tempDir } from '../helpers/temp.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

test(
  'interop - every legacy fixture replayed through the Go module against vcstore serve: errors, fetch results, trees',
  { timeout: 20 * 60_000 },
  async (t) => {
    if (skipWithoutGo(t)) return;
    const tmp = await tempDir(t, 'go');
    const env = goEnv(tmp, {
      VCSTORE_SERVE: SERVE_COMMAND,
      VCSTORE_FIXTURES: path.join(REPO, 'fixtures/legacy-go'),
      // The same table the TypeScript conformance test reads.
      VCSTORE_DEVIATIONS: path.join(REPO, 'test/conformance/deviations.json'),
    });
    // Two daemons at a time: each one is a Node process compiling the sources.
    const { code, output } = await runGo(
      ['test', '-count=1', '-v', '-parallel', '2', './...'],
      path.join(HERE, 'go'),
      env,
    );
    assert.equal(code, 0, withoutRunLines(output));
    // Every scenario ran: none was skipped for a missing variable.
    assert.equal((output.match(/--- PASS: TestLegacyFixturesOverTheSocket\//g) ?? []).length, 18, output);
    const compared = /fetch results compared: (\d+) \((\d+) of them as JSON values\)/.exec(output);
    assert.ok(compared, output);
    assert.ok(Number(compared[1]) >= 80, `only ${compared[1]} fetch results compared`);
  },
);
