import { readFile } from 'node:fs/promises';
import { errUsage, osError } from '../errors.ts';

/** VCSTORE_MACHINE_ID_FILE points elsewhere, for a runtime in a container and for tests that fake a host. */
const machineIdFile = () => process.env.VCSTORE_MACHINE_ID_FILE || '/etc/machine-id';

/** A host ID names a subject token and a message ID: printable, no `/`, not empty. */
export function checkHostId(host: string): string {
  if (!/^[A-Za-z0-9_.+-]{1,128}$/.test(host)) {
    throw errUsage(`host ID ${JSON.stringify(host)} must be 1 to 128 characters of [A-Za-z0-9_.+-]`);
  }
  return host;
}

/** `--host` when given, else the machine's systemd ID, which outlives reboots and renames. */
export async function hostId(given?: string, file = machineIdFile()): Promise<string> {
  if (given !== undefined) return checkHostId(given);
  const text = await readFile(file, 'utf8').catch((err) => {
    throw osError('open', file, err);
  });
  return checkHostId(text.trim());
}
