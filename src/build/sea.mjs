// The single executable (Node's single executable applications): dist/sea/vcstore.cjs, made by
// `node src/build/bundle.mjs --sea`, as a blob injected with postject into a copy of this node binary.
// Output: dist/vcstore-<platform>-<arch>, which needs no Node.js on the host.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'dist/sea');
const config = path.join(dir, 'sea-config.json');
const blob = path.join(dir, 'vcstore.blob');
const out = path.join(root, 'dist', `vcstore-${process.platform}-${process.arch}`);

writeFileSync(
  config,
  JSON.stringify({
    main: path.join(dir, 'vcstore.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
const postject = path.join(root, 'node_modules/postject/dist/cli.js');
execFileSync(
  process.execPath,
  [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { stdio: 'inherit' },
);
process.stdout.write(`made ${path.relative(root, out)}\n`);
