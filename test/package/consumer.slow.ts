import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageCopy, type PackageCopy } from '../helpers/package-copy.ts';
import { makeTempDir, tempDir } from '../helpers/temp.ts';

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
let packing: Promise<{ tarball: string; packed: { stdout: string } }> | undefined;
let packDir: { dir: string; remove: () => Promise<void> } | undefined;
let source: PackageCopy | undefined;
after(async () => {
  await packDir?.remove();
  await source?.remove();
});

/**
 * `npm pack` (its prepack builds dist/) once for this file: a build takes a minute on a shared machine.
 * It runs in a copy of the package, as the build rewrites a dist/ that other test files are reading.
 */
function pack(): Promise<{ tarball: string; packed: { stdout: string } }> {
  packing ??= (async () => {
    packDir = await makeTempDir('pack');
    source = await packageCopy('package-src');
    const packed = await run('npm', ['pack', '--json', '--offline', '--pack-destination', packDir.dir], {
      cwd: source.dir,
      env: source.env,
      maxBuffer: 1 << 24,
    });
    const [first] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
    assert.ok(first, `npm pack printed no tarball:\n${packed.stdout}`);
    return { tarball: path.join(packDir.dir, first.filename), packed };
  })();
  return packing;
}

async function consumerProject(dir: string): Promise<string> {
  const { tarball: tarballPath, packed } = await pack();
  const [tarball] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  assert.ok(tarball, `npm pack printed no tarball:\n${packed.stdout}`);
  const { filename, files } = tarball;
  const paths = files.map((f) => f.path);
  for (const expected of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/bin/vcstore.js',
    'dist/server.js',
    'dist/ship.js',
    'docs/systemd/vcstore.service',
    'LICENSE',
    'README.md',
  ]) {
    assert.ok(paths.includes(expected), `the tarball lacks ${expected}`);
  }
  assert.ok(
    !paths.some((p) => p.startsWith('test/') || p.includes('node_modules/')),
    'the tarball holds tests or dependencies',
  );

  const project = path.join(dir, 'consumer');
  const target = path.join(project, 'node_modules', 'vcstore');
  await mkdir(target, { recursive: true });
  assert.equal(path.basename(tarballPath), filename);
  await run('tar', ['xzf', tarballPath, '-C', target, '--strip-components=1']);
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
    assert.equal(version.stdout.split('\n')[0], pkg.version);
    assert.match(version.stdout, /\ncommit: [0-9a-f]{40}\n/, 'the bundle carries the commit it was built from');
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

/** The most an install of vcstore may bring: vcstore and its runtime dependencies, on disk. */
const MAX_PACKAGES = 30;
const MAX_MEGABYTES = 30;

async function sizeOf(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', dir]);
  return Number(stdout.split('\t')[0]) * 1024;
}

test(
  'package - npm install of the tarball is quiet, brings only the runtime dependencies, and serves vcstore/server and vcstore/ship',
  { timeout: 300_000 },
  async (t) => {
    const { tarball } = await pack();
    const project = path.join(await tempDir(t, 'install'), 'consumer');
    await mkdir(project);
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // The registry is asked only for what the cache lacks (the dependencies of an earlier run are reused).
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: project,
      maxBuffer: 1 << 24,
    });
    const said = `${install.stdout}${install.stderr}`;
    assert.doesNotMatch(said, /npm warn/i, `npm install warned:\n${said}`);

    const modules = path.join(project, 'node_modules');
    const lock = JSON.parse(await readFile(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const installed = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/'));
    const bytes = await sizeOf(modules);
    const own = await sizeOf(path.join(modules, 'vcstore'));
    console.log(
      `# footprint: ${installed.length} packages, ${(bytes / 1e6).toFixed(1)} MB in node_modules (vcstore itself ${(own / 1e6).toFixed(1)} MB)`,
    );
    assert.ok(installed.length <= MAX_PACKAGES, `${installed.length} packages: ${installed.join(', ')}`);
    assert.ok(bytes <= MAX_MEGABYTES * 1e6, `${(bytes / 1e6).toFixed(1)} MB installed`);
    for (const cliOnly of ['fastify', 'commander', 'prom-client', '@nats-io/jetstream', 'esbuild']) {
      assert.ok(!installed.includes(`node_modules/${cliOnly}`), `${cliOnly} is installed, though only bundles use it`);
    }

    const data = path.join(project, 'data');
    const SUBPATHS = `
import http from 'node:http';
import { startDaemon } from 'vcstore/server';
import { startShipper, shipStatus } from 'vcstore/ship';
import { rootsUnder, StoreError } from 'vcstore';
const socket = process.argv[1] + '/vcstore.sock';
const daemon = await startDaemon({ roots: rootsUnder(process.argv[1]), socket });
const ask = (method, url) => new Promise((resolve, reject) => {
  const req = http.request({ socketPath: socket, method, path: url }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
  });
  req.on('error', reject);
  req.end();
});
const health = await ask('GET', '/v1/health');
const wrong = await ask('DELETE', '/v1/health');
await daemon.stop();
console.log(JSON.stringify({ health: health.body.status, wrong: wrong.status, shipper: typeof startShipper, status: await shipStatus(rootsUnder(process.argv[1])), error: StoreError.name }));
`;
    const esm = await run(process.execPath, ['--input-type=module', '-e', SUBPATHS, data], { cwd: project });
    assert.deepEqual(JSON.parse(esm.stdout), {
      health: 'ok',
      wrong: 405,
      shipper: 'function',
      status: [],
      error: 'StoreError',
    });
    const cjs = await run(process.execPath, ['-e', "console.log(typeof require('vcstore').Store)"], { cwd: project });
    assert.equal(cjs.stdout.trim(), 'function');
  },
);
