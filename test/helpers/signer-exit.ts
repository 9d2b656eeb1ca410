// Signs three bodies with the shipper's signer and never closes it: the test expects this process to end by itself.
import { generateKeyPairSync } from 'node:crypto';
import { signerOf } from '../../src/ship/trust.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const signer = signerOf(privateKey, '0123456789abcdef', 'host.a');
const sigs = await Promise.all(['a', 'b', 'c'].map((s) => signer.sign(Buffer.from(s))));
process.stdout.write(`${sigs.length} signed\n`);
