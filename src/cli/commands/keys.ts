import type { Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { hostKey, keyFile, publicLine } from '../../ship/host-key.ts';
import { hostId } from '../../ship/host-id.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';

/**
 * Prints this host's public key as a trust file line (`<host> ed25519:<base64>`),
 * making the key first if `ship` has not yet: the operator collects one line
 * per host into the trust file that readers take with `--trust`.
 */
export function keysCommand(command: Command, _log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .option('--host <id>', 'this host as ship names it (default: /etc/machine-id)')
    .option('--key <file>', 'the key file (default $VCSTORE_SHIP_KEY, else vcstore-ship.key beside the journal root)')
    .option('--json', 'a JSON object with the host, the key ID, the public key and the key file')
    .action(async (opts: { root: string; host?: string; key?: string; json?: boolean }) => {
      const host = await hostId(opts.host);
      const key = await hostKey(keyFile(rootsUnder(opts.root), opts.key));
      if (opts.json)
        say(JSON.stringify({ host, keyId: key.keyId, publicKey: key.publicKey.toString('base64'), file: key.file }));
      else say(publicLine(key, host));
    });
}
