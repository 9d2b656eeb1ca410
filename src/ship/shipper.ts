import { setMaxListeners } from 'node:events';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { errRemote } from '../errors.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { rootsUnder, type Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import { Backoff } from './backoff.ts';
import { connectTo, type NatsTarget } from './connect.ts';
import { AckedPublisher } from './publisher.ts';
import { SandboxShipper, type SandboxLag } from './sandbox-shipper.ts';
import { DEFAULT_STREAM, ensureStream, streamNotReady, type StreamSpec } from './stream.ts';
import { hostKey, keyFile, signer } from './host-key.ts';
import { checkHostId } from './host-id.ts';
import { checkPrefix, checkStreamName } from './subject.ts';

/** How long a stream that a cluster cannot place yet is waited for. */
const STREAM_READY_MS = 60_000;

export interface ShipperOptions extends NatsTarget {
  /** the `--root` prefix, or the roots themselves */
  root?: string;
  roots?: Roots;
  host: string;
  stream?: Partial<StreamSpec>;
  log?: Logger;
  /** how often journals are polled for new records and the journal root for new sandboxes, in ms (default 100) */
  pollMs?: number;
  ackTimeoutMs?: number;
  /** called after the stream acknowledged an event (for lag measurements) */
  onShipped?: (sandbox: string, seq: number) => void;
  /** the host's private key file (default: $VCSTORE_SHIP_KEY, else vcstore-ship.key beside the journal root); made when missing */
  key?: string;
  /** ship without signatures: only to measure what signing costs; readers with a trust file refuse such messages */
  unsigned?: boolean;
}

export interface Shipper {
  /** lag per sandbox, in events, in ID order */
  lag(): SandboxLag[];
  /** resolves once each sandbox of `heads` has shipped up to its event there (or stopped) */
  caughtUp(heads: Map<string, number>, deadlineMs?: number): Promise<void>;
  /** stops following, saves the cursors and closes the connection */
  stop(): Promise<void>;
  /** settles when the shipper ends; rejects if it failed as a whole (the stream does not fit) */
  readonly done: Promise<void>;
}

/**
 * Ships every event of every sandbox under the roots, old and new, in order
 * per sandbox, until stopped: the embeddable form of `vcstore ship`. Resolves
 * once connected and the stream is created or checked.
 */
export async function startShipper(options: ShipperOptions): Promise<Shipper> {
  const roots = options.roots ?? rootsUnder(options.root ?? '/');
  const spec: StreamSpec = { ...DEFAULT_STREAM, ...options.stream };
  checkPrefix(spec.prefix);
  checkStreamName(spec.name);
  checkHostId(options.host);
  const log = options.log ?? silentLogger;
  const pollMs = options.pollMs ?? 100;
  const key = options.unsigned ? undefined : await hostKey(keyFile(roots, options.key));
  const nc = await connectTo(options, { persistent: true, name: `vcstore ship ${options.host}` });
  const signing = key && signer(key, options.host, log);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every sandbox's poll and backoff waits on it
  try {
    const jsm = await jetstreamManager(nc);
    // A forming cluster is waited for; a stream that cannot be placed at all (more replicas than
    // servers) reads the same, so the wait is bounded and then the refusal is the answer.
    const until = Date.now() + STREAM_READY_MS;
    for (const backoff = new Backoff(200, 5000); ; await backoff.wait(stop.signal)) {
      try {
        await ensureStream(jsm, spec);
        break;
      } catch (err) {
        if (!streamNotReady(err) || Date.now() > until) throw err;
        log.warn({ stream: spec.name, err: String(err) }, 'stream not ready: retrying');
      }
    }
    const publisher = new AckedPublisher(nc, options.ackTimeoutMs ?? 5000);
    const ctx = {
      roots,
      publisher,
      jsm,
      stream: spec.name,
      prefix: spec.prefix,
      host: options.host,
      log,
      signal: stop.signal,
      pollMs,
      onShipped: options.onShipped,
      sign: signing && ((body: Uint8Array) => signing.sign(body)),
    };
    const shippers = new Map<string, SandboxShipper>();
    const running: Promise<void>[] = [];
    const discover = async () => {
      // New sandboxes are rare next to new events: the folder is listed less often than journals are polled.
      const backoff = new Backoff(Math.max(pollMs, 500), 5000);
      while (!stop.signal.aborted) {
        try {
          for (const id of await journaledSandboxes(roots)) {
            if (shippers.has(id)) continue;
            const shipper = new SandboxShipper(ctx, id);
            shippers.set(id, shipper);
            running.push(shipper.run());
          }
          backoff.reset();
        } catch (err) {
          log.error({ err }, 'cannot list journals');
        }
        await backoff.wait(stop.signal);
      }
    };
    const done = discover()
      .then(() => Promise.all(running))
      .then(() => undefined)
      .finally(async () => {
        publisher.close();
        await signing?.close();
      });
    return handle(nc, stop, shippers, done);
  } catch (err) {
    await signing?.close();
    await nc.close();
    throw err;
  }
}

function handle(
  nc: NatsConnection,
  stop: AbortController,
  shippers: Map<string, SandboxShipper>,
  done: Promise<void>,
): Shipper {
  const lag = () =>
    [...shippers.values()]
      .map((s) => ({ ...s.status }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.sandbox), Buffer.from(b.sandbox)));
  return {
    lag,
    done,
    async caughtUp(heads, deadlineMs = 60_000) {
      const until = Date.now() + deadlineMs;
      const behind = () =>
        [...heads].filter(([id, seq]) => {
          const s = shippers.get(id)?.status;
          return !(s?.state === 'stopped' || (s !== undefined && s.shippedSeq >= seq));
        });
      while (behind().length > 0) {
        if (Date.now() > until) throw errRemote(`not caught up after ${deadlineMs} ms: ${JSON.stringify(behind())}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      stop.abort();
      await done;
      await nc.close();
    },
  };
}
