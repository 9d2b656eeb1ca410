import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServe } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/api.md');

/** Every `curl` line of docs/api.md, with the status after `# →` and the answer shown on the next line, if any. */
function examples(): Array<{ line: string; status: string; shown?: string }> {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const out = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('curl ')) continue;
    const status = /# → (\d{3})/.exec(line)?.[1];
    assert.ok(status, `no "# → STATUS" on: ${line}`);
    const next = lines[i + 1] ?? '';
    out.push(next.startsWith('# {') && !next.includes('…') ? { line, status, shown: next.slice(2) } : { line, status });
  }
  return out;
}

const hasCurl = () => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

test('api doc - every curl example of docs/api.md works as written, in order, on a fresh daemon', async (t) => {
  if (!hasCurl()) return t.skip('needs curl (apt-get install -y curl)');
  const root = await tempDir(t, 'apidoc');
  const serve = await startServe(root);
  try {
    const all = examples();
    assert.ok(all.length >= 40, `only ${all.length} examples`);
    for (const { line, status, shown } of all) {
      const command = line.replace('/run/vcstore/vcstore.sock', serve.socket).replace(/\s+# →.*$/, '');
      // A stream that stays open is cut after a second; what it sent by then is enough.
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
        execFile('bash', ['-c', `${command} --max-time 1 -w '\\n%{http_code}'`], (err, stdout) =>
          err && (err as { code?: number }).code !== 28
            ? reject(new Error(`${line}: ${err.message}`))
            : resolve({ stdout }),
        ),
      );
      const lines = stdout.split('\n');
      const got = lines.pop();
      assert.equal(got, status, `${line}\n${stdout}`);
      if (shown !== undefined)
        assert.equal(
          lines.join('\n'),
          shown.replaceAll(' /run/', ` ${root}/run/`).replaceAll('"/run/', `"${root}/run/`),
          line,
        );
    }
  } finally {
    await serve.stop();
  }
});
