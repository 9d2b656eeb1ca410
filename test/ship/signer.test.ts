import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { keyIdOf, parseTrust, rawPublicKey, signature, signerOf, trustLine } from '../../src/ship/trust.ts';
import { scriptArgv } from '../helpers/script.ts';

const HOST = 'host.a';
const bodies = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`{"seq":${i},"t":"${tag}"}`));

test('ship signer - signatures made off the event loop, many in one turn and one at a time, are the host key’s, each for its own body', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(rawPublicKey(privateKey));
  const trust = parseTrust(trustLine(HOST, rawPublicKey(privateKey)), 'test');
  const signer = signerOf(privateKey, keyId, HOST);
  try {
    const many = bodies(200, 'batch');
    const sigs = await Promise.all(many.map((body) => signer.sign(body)));
    const single: string[] = [];
    for (const body of bodies(5, 'single')) single.push(await signer.sign(body));
    for (const [i, body] of [...many, ...bodies(5, 'single')].entries()) {
      const sig = i < 200 ? sigs[i] : single[i - 200];
      trust.check(HOST, body, sig, { label: 'test', streamSeq: i + 1 });
      // Ed25519 is deterministic: the same bytes as the one-call signature.
      assert.equal(sig, signature(privateKey, keyId, HOST, body));
    }
    // Each signature is its own body's: a swapped pair does not verify.
    assert.throws(() => trust.check(HOST, many[0]!, sigs[1], { label: 'test', streamSeq: 1 }), { code: 'EUNTRUSTED' });
  } finally {
    await signer.close();
  }
});

test('ship signer - signing goes on after the thread is gone, and a key that cannot sign rejects every signature, none hangs', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(rawPublicKey(privateKey));
  const signer = signerOf(privateKey, keyId, HOST);
  const pending = bodies(20, 'closing').map((body) => signer.sign(body));
  await signer.close();
  const after = await signer.sign(Buffer.from('after'));
  assert.equal(after, signature(privateKey, keyId, HOST, Buffer.from('after')));
  assert.equal((await Promise.all(pending)).length, 20);

  // An X25519 key cannot sign: sign() throws in the thread, which ends it; the pool signer refuses the same way.
  const { privateKey: x25519 } = generateKeyPairSync('x25519');
  const broken = signerOf(x25519, keyId, HOST);
  try {
    const results = await Promise.allSettled(bodies(10, 'x25519').map((body) => broken.sign(body)));
    assert.ok(
      results.every((r) => r.status === 'rejected'),
      'a signature made with a key that cannot sign',
    );
    await assert.rejects(broken.sign(Buffer.from('later')));
  } finally {
    await broken.close();
  }
});

test('ship signer - an idle signer does not keep its process alive', () => {
  const child = spawnSync(process.execPath, scriptArgv('test/helpers/signer-exit.ts'), {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.signal, null, 'the process did not end by itself within 20 s');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '3 signed\n');
});
