import path from 'node:path';
import { rootsUnder } from '../../src/layout/roots.ts';
import { startDaemon, type Daemon } from '../../src/server/daemon.ts';
import { makeTempDir } from '../helpers/temp.ts';

/** A daemon in this process on a real socket, over a fresh root; `done` stops it and removes the root. */
export async function inProcessDaemon(
  options: { bodyLimit?: number } = {},
): Promise<{ daemon: Daemon; root: string; socket: string; done: () => Promise<void> }> {
  const { dir: root, remove } = await makeTempDir('serve');
  const socket = path.join(root, 'run/vcstore/vcstore.sock');
  const daemon = await startDaemon({ roots: rootsUnder(root), socket, ...options });
  return {
    daemon,
    root,
    socket,
    done: async () => {
      await daemon.stop();
      await remove();
    },
  };
}
