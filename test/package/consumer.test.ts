import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

interface LockEntry {
  dev?: boolean;
}

/** The packages an install of vcstore brings: the lock file's top-level entries that are not dev-only. */
async function runtimeDependencies(): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages)
    .filter(
      ([key, entry]) =>
        key.startsWith('node_modules/') && !key.slice('node_modules/'.length).includes('node_modules/') && !entry.dev,
    )
    .map(([key]) => key.slice('node_modules/'.length));
}

/**
 * A project that depends on vcstore as npm would install it from the registry: the packed tarball
 * unpacked into node_modules/vcstore, its runtime dependencies beside it (linked from this checkout's
 * node_modules, so nothing is downloaded), and what any TypeScript project on Node has: typescript
 * and @types/node. No @types for vcstore's own dependencies.
 */
async function consumerProject(dir: string): Promise<string> {
  const packed = await run('npm', ['pack', '--json', '--offline', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  });
  const [tarball] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  assert.ok(tarball, `npm pack printed no tarball:\n${packed.stdout}`);
  const { filename, files } = tarball;
  const paths = files.map((f) => f.path);
  for (const expected of ['dist/index.js', 'dist/index.d.ts', 'dist/bin/vcstore.js', 'LICENSE', 'README.md']) {
    assert.ok(paths.includes(expected), `the tarball lacks ${expected}`);
  }
  assert.ok(
    !paths.some((p) => p.startsWith('test/') || p.includes('node_modules/')),
    'the tarball holds tests or dependencies',
  );

  const project = path.join(dir, 'consumer');
  const target = path.join(project, 'node_modules', 'vcstore');
  await mkdir(target, { recursive: true });
  await run('tar', ['xzf', path.join(dir, filename), '-C', target, '--strip-components=1']);
  const linked = [...(await runtimeDependencies()), 'typescript', '@types/node', 'undici-types'];
  for (const name of linked) {
    await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
    await symlink(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
  }
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, dependencies: { vcstore: '*' } }),
  );
  return project;
}

const ESM = `
import { Store, rootsUnder, StoreError } from 'vcstore';
const store = new Store({ roots: rootsUnder(process.argv[1]) });
const event = await store.createAllResources({ id: 'sb', containers: [] });
await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'ready' } });
console.log(JSON.stringify({ seq: event.seq, state: await store.fetchSandboxState('sb'), error: StoreError.name }));
await store.close();
`;

const CJS = `
const { Store, rootsUnder } = require('vcstore');
const store = new Store({ roots: rootsUnder(process.argv[1]) });
store.fetchSandboxState('sb').then(async (state) => { console.log(JSON.stringify(state)); await store.close(); });
`;

const TS = `
import { Store, rootsUnder, type State, type Process, type SandboxConfig, type DeviceList, type JournalEvent } from 'vcstore';

const store = new Store({ roots: rootsUnder('/tmp/never-run') });
const state: State = await store.fetchSandboxState('sb');
const name: string = state.state;
const process: Process = await store.fetchContainerProcess('sb', 'c');
const pid: number | bigint = process.Pid;
const config: SandboxConfig = await store.fetchSandboxConfig('sb');
const hostname: string = config.Hostname;
const devices: DeviceList = await store.fetchContainerDevices('sb', 'c');
const event: JournalEvent = await store.storeContainerProcess('sb', 'c', { Token: 't', Pid: 1 });
const qemu = await store.fetchHypervisorState('sb', 'QemuState');
const bridges = qemu.Bridges;
// @ts-expect-error state is a string
const wrong: number = state.state;
// @ts-expect-error Options is a []string
await store.storeContainerMounts('sb', 'c', [{ Options: 'rw' }]);
export { name, pid, hostname, devices, event, bridges, wrong };
`;

test(
  'package - the packed tarball works as a dependency: node ESM import, require(), and tsc on a NodeNext consumer',
  { timeout: 180_000 },
  async (t) => {
    const dir = await tempDir(t, 'consumer');
    const project = await consumerProject(dir);
    const data = path.join(dir, 'data');

    const esm = await run(process.execPath, ['--input-type=module', '-e', ESM, data], { cwd: project });
    assert.deepEqual(JSON.parse(esm.stdout), {
      seq: 1,
      state: { state: 'ready', blockIndex: 0, fstype: '', hotpluggedDrive: false },
      error: 'StoreError',
    });

    const cjs = await run(process.execPath, ['-e', CJS, data], { cwd: project });
    assert.deepEqual(JSON.parse(cjs.stdout), { state: 'ready', blockIndex: 0, fstype: '', hotpluggedDrive: false });

    const installed = path.join(project, 'node_modules', 'vcstore');
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as {
      bin: { vcstore: string };
    };
    const bin = path.join(installed, manifest.bin.vcstore);
    assert.match(await readFile(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const version = await run(process.execPath, [bin, '--version'], { cwd: project });
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
    const head = await run(process.execPath, [bin, 'head', '--root', data, '--sandbox', 'sb', '--json'], {
      cwd: project,
    });
    assert.equal(JSON.parse(head.stdout).seq, 2);

    await writeFile(path.join(project, 'consumer.ts'), TS);
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', project], { cwd: project });
    } catch (err) {
      assert.fail(`tsc found errors in the consumer:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
  },
);
