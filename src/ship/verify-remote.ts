import { isStoreError } from '../errors.ts';
import type { SandboxVerdict } from '../recovery/verify.ts';
import { inspectJournal } from '../recovery/inspect.ts';
import { remoteSandboxes } from './remote-events.ts';
import { withRemoteJournal, type Remote } from './remote.ts';

/**
 * Checks a host's history as the stream holds it: every message a valid
 * record, the sequence without gap or duplicate, the hash chain end to end,
 * and every event replayable. There is no legacy tree to compare: drift is empty.
 */
export async function verifyRemote(remote: Remote, sandbox?: string): Promise<SandboxVerdict[]> {
  const ids =
    sandbox !== undefined ? [sandbox] : await remoteSandboxes(remote.jsm, remote.stream, remote.prefix, remote.host);
  const verdicts: SandboxVerdict[] = [];
  for (const id of ids) {
    try {
      verdicts.push(
        await withRemoteJournal(remote, id, async (file) => {
          const { events, seq, head, damage } = await inspectJournal(file);
          return { sandbox: id, events, seq, head, damage, drift: [], consistent: damage === undefined };
        }),
      );
    } catch (err) {
      if (!isStoreError(err) || err.code === 'EREMOTE') throw err;
      const damage = {
        code: err.code,
        message: err.message,
        ...(err.offset === undefined ? {} : { offset: err.offset }),
      };
      verdicts.push({ sandbox: id, events: 0, seq: 0, head: '', damage, drift: [], consistent: false });
    }
  }
  return verdicts;
}
