import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import fse from 'fs-extra';
import { StoreError } from '../../errors.ts';
import { readEvents } from '../../journal/reader.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { journalFile } from '../../layout/roots.ts';
import { Store } from '../../store/store.ts';
import { describeEvent } from '../format.ts';

const MARK = '.vcstore-demo';
const SANDBOX = 'demo-sandbox';

export function demoCommand(program: Command, log: () => Logger): void {
  program
    .command('demo')
    .description('run a small sandbox lifecycle and show its journal and the legacy tree it projects')
    .option('--root <dir>', 'where to put the demo tree (made anew on each run)', 'vcstore-demo')
    .action(async (opts: { root: string }) => {
      const root = path.resolve(opts.root);
      await freshRoot(root);
      const store = new Store({ roots: rootsUnder(root), log: log() });
      try {
        await lifecycle(store);
      } finally {
        await store.close();
      }
      say(`\nThe legacy tree under ${root}, byte for byte what the Go runtime wrote:`);
      for (const line of await listTree(root)) say(`  ${line}`);
      say(`\nThe journal (${path.relative(root, journalFile(rootsUnder(root), SANDBOX))}), one durable event per call:`);
      for await (const event of readEvents(journalFile(rootsUnder(root), SANDBOX))) say(`  ${describeEvent(event)}`);
      say(`\nTry: vcstore log --root ${opts.root} --sandbox ${SANDBOX} --json`);
    });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The demo owns its folder: it is wiped only when an earlier demo made it. */
async function freshRoot(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => undefined);
  if (entries && entries.length > 0) {
    if (!entries.includes(MARK)) {
      throw new StoreError('EUSAGE', `${root} exists and was not made by vcstore demo; choose another --root`);
    }
    await fse.remove(root);
  }
  await fse.ensureDir(root);
  await writeFile(path.join(root, MARK), 'made by vcstore demo; safe to delete\n');
}

async function lifecycle(store: Store): Promise<void> {
  say(`Creating sandbox ${SANDBOX} with containers web and sidecar…`);
  await store.createAllResources({ id: SANDBOX, containers: ['web', 'sidecar'] });
  await store.storeSandboxResource(SANDBOX, 'config', {
    type: 'SandboxConfig',
    value: { ID: SANDBOX, Hostname: 'demo', HypervisorType: 'qemu', AgentType: 'kata', Annotations: { team: 'infra' } },
  });
  await store.storeSandboxResource(SANDBOX, 'state', { type: 'State', value: { state: 'ready' } });
  for (const c of ['web', 'sidecar']) {
    await store.storeContainerResource(SANDBOX, c, 'config', { type: 'ContainerConfig', value: { ID: c, RootFs: `/rootfs/${c}` } });
    await store.storeContainerResource(SANDBOX, c, 'state', { type: 'State', value: { state: 'ready', fstype: 'ext4' } });
  }
  await store.storeHypervisorState(SANDBOX, { Bridges: null, HotpluggedVCPUs: null, UUID: '0e3a3c7d-demo' });
  await store.storeAgentState(SANDBOX, { ProxyPid: 4242, URL: 'unix:///run/demo/proxy.sock' });
  await store.storeContainerProcess(SANDBOX, 'web', { Token: 'tok-web', Pid: 4300, StartTime: '2026-11-29T10:00:00.25Z' });
  say('Starting: sandbox and containers move to running…');
  await store.storeSandboxResource(SANDBOX, 'state', { type: 'State', value: { state: 'running' } });
  await store.storeContainerResource(SANDBOX, 'web', 'state', { type: 'State', value: { state: 'running', fstype: 'ext4' } });
  say('Removing the sidecar container…');
  await store.deleteContainerResources(SANDBOX, 'sidecar', null);
  const state = await store.fetchSandboxState(SANDBOX);
  say(`fetchSandboxState(${SANDBOX}) → ${JSON.stringify(state)}`);
}

async function listTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      if (name === MARK || rel.startsWith('var/lib/virtcontainers/journal')) continue;
      const info = await stat(full);
      if (info.isDirectory()) await walk(full);
      else lines.push(`${rel}  ${(await readFile(full, 'utf8')).slice(0, 90) || '(empty)'}`);
    }
  };
  await walk(root);
  return lines;
}
