import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import stringify from 'fast-json-stable-stringify';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { bootId } from '../../../src/journal/boot-id.ts';
import { encodeFrame } from '../../../src/journal/encoder.ts';
import { hashBody } from '../../../src/journal/record.ts';
import { ensureJournalRoot } from '../../../src/layout/journals.ts';
import { journalFile, rootsUnder, type Roots } from '../../../src/layout/roots.ts';
import { connectTo } from '../../../src/ship/connect.ts';
import { shipDir } from '../../../src/ship/cursor.ts';
import { hostKey, keyFile, publicLine } from '../../../src/ship/host-key.ts';
import { AckedPublisher } from '../../../src/ship/publisher.ts';
import { DEFAULT_STREAM, ensureStream } from '../../../src/ship/stream.ts';
import { startShipper } from '../../../src/ship/shipper.ts';
import { messageId, sandboxSubject } from '../../../src/ship/subject.ts';
import { parseTrust, SIG_HEADER, signature } from '../../../src/ship/trust.ts';
import { hasNatsServer, natsCluster, type NatsCluster } from '../../helpers/nats.ts';
import type { Ctx, Suite } from '../context.ts';
import { median } from '../measure.ts';
import { alone, compare, type Row } from '../report.ts';
import { statePayload } from '../workload.ts';

const SANDBOXES = 16;
const HOST = 'bench';

/**
 * Events per sandbox for throughput and its rounds; the host history caught
 * up (over 16 sandboxes) and the one-sandbox history; the seconds of the lag run.
 */
const SIZES = {
  full: { each: 5_000, rounds: 5, hostHistory: 1_000_000, history: 100_000, lagSeconds: 20 },
  quick: { each: 2_000, rounds: 3, hostHistory: 100_000, history: 10_000, lagSeconds: 8 },
  smoke: { each: 50, rounds: 1, hostHistory: 1_600, history: 300, lagSeconds: 1 },
} as const;

/**
 * A host of `sandboxes` journals of `each` store events, written without an
 * fsync per event; the bodies are kept for the bare loop when `keep` is set.
 */
export async function syntheticHost(
  dir: string,
  sandboxes: number,
  each: number,
  keep: { bodies: boolean },
): Promise<{ roots: Roots; bodies: Map<string, Buffer[]>; heads: Map<string, number> }> {
  const roots = rootsUnder(dir);
  await ensureJournalRoot(roots.journal);
  const bodies = new Map<string, Buffer[]>();
  const heads = new Map<string, number>();
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  for (let s = 0; s < sandboxes; s++) {
    const sandbox = `sb.${s}`;
    const file = journalFile(roots, sandbox);
    await mkdir(path.dirname(file), { recursive: true });
    const fh = await open(file, 'w', 0o600);
    const list: Buffer[] = [];
    let chunk: Buffer[] = [];
    let prev = '';
    for (let seq = 1; seq <= each; seq++) {
      const event =
        seq === 1
          ? {
              v: 1,
              seq,
              time: new Date(base).toISOString(),
              pid: process.pid,
              boot: bootId(),
              op: 'create',
              sandbox,
              containers: [],
              prev,
            }
          : {
              v: 1,
              seq,
              time: new Date(base + seq).toISOString(),
              pid: process.pid,
              boot: bootId(),
              op: 'store',
              sandbox,
              resource: 'state',
              payload: statePayload(seq),
              prev,
            };
      const body = Buffer.from(stringify(event), 'utf8');
      prev = hashBody(body);
      if (keep.bodies) list.push(body);
      chunk.push(encodeFrame(body));
      if (chunk.length >= 10_000) {
        await fh.write(Buffer.concat(chunk));
        chunk = [];
      }
    }
    await fh.write(Buffer.concat(chunk));
    await fh.close();
    bodies.set(sandbox, list);
    heads.set(sandbox, each);
  }
  return { roots, bodies, heads };
}

/** Seconds for the shipper to ship every event of the host into a fresh stream. */
async function shipAll(
  nats: NatsCluster,
  roots: Roots,
  stream: string,
  heads: Map<string, number>,
  unsigned = false,
): Promise<number> {
  await rm(shipDir(roots), { recursive: true, force: true }); // the cursors of the last round's stream
  const started = process.hrtime.bigint();
  const shipper = await startShipper({
    servers: nats.urls,
    roots,
    host: HOST,
    stream: { name: stream, prefix: stream.toLowerCase() },
    pollMs: 100,
    unsigned,
  });
  try {
    await shipper.caughtUp(heads, 3_600_000);
    const stopped = shipper.lag().filter((s) => s.state === 'stopped');
    if (stopped.length > 0) throw new Error(`bench: sandboxes stopped: ${JSON.stringify(stopped)}`);
  } finally {
    await shipper.stop();
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The bare loops' messages: each body with a signature of the same size as the shipper's, made before the clock starts. */
type Prepared = Map<string, { body: Buffer; sig: string }[]>;

function prepare(bodies: Map<string, Buffer[]>): Prepared {
  const key = generateKeyPairSync('ed25519').privateKey;
  return new Map(
    [...bodies].map(([sandbox, list]) => [
      sandbox,
      list.map((body) => ({ body, sig: signature(key, '0123456789abcdef', HOST, body) })),
    ]),
  );
}

/**
 * The same messages as the shipper's (bodies, subjects, message IDs, expected
 * last subject sequence, a `Vcstore-Sig` header of the same size), into a
 * stream made with the shipper's settings over a connection made as its own,
 * with nothing but a publish: one in flight per subject (as the shipper, which
 * must know the last sequence before the next publish), the subjects side by
 * side, each counted once acknowledged. No journal read, no checks, no
 * signing, no cursor. `lean` publishes through the shipper's own publish
 * path (src/ship/publisher.ts) rather than `js.publish`.
 */
async function bareLoop(nats: NatsCluster, stream: string, prepared: Prepared, lean = false): Promise<number> {
  const nc = await connectTo({ servers: nats.urls }, { persistent: true });
  const publisher = new AckedPublisher(nc, 5000);
  try {
    const prefix = stream.toLowerCase();
    await ensureStream(await jetstreamManager(nc), { ...DEFAULT_STREAM, name: stream, prefix });
    const js = jetstream(nc);
    const started = process.hrtime.bigint();
    await Promise.all(
      [...prepared].map(async ([sandbox, list]) => {
        const subject = sandboxSubject(prefix, HOST, sandbox);
        let last = 0;
        for (const [i, { body, sig }] of list.entries()) {
          const msgID = messageId(HOST, sandbox, i + 1);
          if (lean) {
            last = (await publisher.publish({ subject, body, msgID, lastSubjectSeq: last, extra: [SIG_HEADER, sig] }))
              .seq;
            continue;
          }
          const h = headers();
          h.set(SIG_HEADER, sig);
          const ack = await js.publish(subject, body, { msgID, headers: h, expect: { lastSubjectSequence: last } });
          last = ack.seq;
        }
      }),
    );
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    publisher.close();
    await nc.close();
  }
}

/**
 * That the row measured what it says: every subject's last message in the
 * stream carries a `Vcstore-Sig` that verifies against the host's key (or,
 * unsigned, none), and the stream holds every event once.
 */
async function checkShipped(
  nats: NatsCluster,
  roots: Roots,
  stream: string,
  heads: Map<string, number>,
  signed: boolean,
) {
  const key = await hostKey(keyFile(roots));
  const trust = parseTrust(publicLine(key, HOST), 'bench');
  const nc = await connect({ servers: nats.urls.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const { messages } = (await jsm.streams.info(stream)).state;
    const events = [...heads.values()].reduce((n, h) => n + h, 0);
    if (messages !== events) throw new Error(`bench: stream ${stream} holds ${messages} messages, not ${events}`);
    for (const sandbox of heads.keys()) {
      const subject = sandboxSubject(stream.toLowerCase(), HOST, sandbox);
      const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
      const sig = msg?.header.get(SIG_HEADER) || undefined;
      if (msg === null) throw new Error(`bench: nothing on ${subject}`);
      if (signed) trust.check(HOST, msg.data, sig, { label: stream, streamSeq: msg.seq });
      else if (sig !== undefined) throw new Error(`bench: ${subject} is signed in the unsigned round`);
    }
  } finally {
    await nc.close();
  }
}

const count = (bodies: Map<string, Buffer[]>) => [...bodies.values()].reduce((n, l) => n + l.length, 0);

async function throughput(ctx: Ctx, nats: NatsCluster): Promise<Row[]> {
  const sizes = SIZES[ctx.mode];
  const { roots, bodies, heads } = await syntheticHost(await ctx.folder('ship-host'), SANDBOXES, sizes.each, {
    bodies: true,
  });
  const prepared = prepare(bodies);
  const ship: number[] = [];
  const unsigned: number[] = [];
  const bare: number[] = [];
  const lean: number[] = [];
  for (let r = 0; r < sizes.rounds; r++) {
    // Taking turns, each into a stream of its own: a round is where the four share the machine's mood.
    bare.push(count(bodies) / (await bareLoop(nats, `BARE${r}`, prepared)));
    ship.push(count(bodies) / (await shipAll(nats, roots, `SHIP${r}`, heads)));
    lean.push(count(bodies) / (await bareLoop(nats, `LEAN${r}`, prepared, true)));
    unsigned.push(count(bodies) / (await shipAll(nats, roots, `UNSIGNED${r}`, heads, true)));
    await checkShipped(nats, roots, `SHIP${r}`, heads, true);
    await checkShipped(nats, roots, `UNSIGNED${r}`, heads, false);
  }
  const k = `${SANDBOXES} sandboxes × ${sizes.each.toLocaleString('en-US')} events`;
  const bareName = `bare JetStream publish loop, ${k}`;
  return [
    {
      ...alone(
        'ship',
        bareName,
        median(bare),
        'events/s',
        "js.publish of the same bodies and headers (message ID, expected last subject sequence, a signature of the same size), the shipper's stream settings and connection, one in flight per subject, subjects side by side, each counted once acknowledged",
      ),
      samples: bare,
    },
    {
      ...alone(
        'ship',
        `bare publish loop on the shipper's publish path, ${k}`,
        median(lean),
        'events/s',
        'the same messages through src/ship/publisher.ts (one reply subscription, no request object per message) instead of js.publish',
      ),
      samples: lean,
    },
    {
      ...compare(
        'ship',
        `vcstore ship, ${k}`,
        median(ship),
        'events/s',
        bareName,
        median(bare),
        { op: '>=', ratio: 0.8 },
        'journals read, CRC, schema and chain checked, each message signed (Ed25519, Vcstore-Sig, checked in the stream after each round), cursors saved; start-up (connect, stream check, first scan) included',
      ),
      samples: ship,
    },
    {
      ...compare(
        'ship',
        `vcstore ship ÷ a bare loop on its own publish path, ${k}`,
        median(ship),
        'events/s',
        `bare publish loop on the shipper's publish path, ${k}`,
        median(lean),
        undefined,
        "what the shipper's own work (reading, checks, signing, cursors) costs against the same publishes bare",
      ),
      samples: ship,
    },
    {
      ...compare(
        'ship',
        `vcstore ship without signatures, ${k}`,
        median(unsigned),
        'events/s',
        bareName,
        median(bare),
        { op: '>=', ratio: 0.8 },
        'the same with `unsigned` (no Vcstore-Sig header): what signing costs is the difference to the row above',
      ),
      samples: unsigned,
    },
    signingCost(bodies),
  ];
}

/** The CPU of one signature alone: Ed25519 over the host and a record body, as the shipper makes it per event. */
function signingCost(bodies: Map<string, Buffer[]>): Row {
  const key = generateKeyPairSync('ed25519').privateKey;
  const list = [...bodies.values()].flat().slice(0, 20_000);
  const sample = () => {
    const started = process.hrtime.bigint();
    for (const body of list) signature(key, '0123456789abcdef', HOST, body);
    return Number(process.hrtime.bigint() - started) / 1e6 / list.length; // ms per signature
  };
  sample(); // warm
  const samples = [sample(), sample(), sample()];
  const bytes = Math.round(list.reduce((n, b) => n + b.length, 0) / list.length);
  return {
    ...alone(
      'ship',
      'Ed25519 signature per shipped event',
      median(samples),
      'ms',
      `${(median(samples) * 1000).toFixed(1)} µs: node:crypto sign over ${list.length.toLocaleString('en-US')} record bodies of ${bytes} bytes on average, one thread`,
    ),
    samples,
  };
}

async function catchUp(ctx: Ctx, nats: NatsCluster): Promise<Row[]> {
  const sizes = SIZES[ctx.mode];
  const host = await syntheticHost(await ctx.folder('ship-history'), SANDBOXES, sizes.hostHistory / SANDBOXES, {
    bodies: false,
  });
  const hostSeconds = await shipAll(nats, host.roots, 'CATCHUP', host.heads);
  await rm(host.roots.journal, { recursive: true, force: true });
  const ds = await ctx.dataset(sizes.history);
  const oneSeconds = await shipAll(nats, ds.roots, 'CATCHUP1', new Map([[ds.sandbox, ds.events]]));
  const nc = await connect({ servers: nats.urls.split(',') });
  const state = await jetstreamManager(nc)
    .then((jsm) => jsm.streams.info('CATCHUP'))
    .then((i) => i.state)
    .finally(() => nc.close());
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    alone(
      'ship',
      `catch-up of a host's history, ${n(sizes.hostHistory)} events on ${SANDBOXES} sandboxes`,
      sizes.hostHistory / hostSeconds,
      'events/s',
      `${hostSeconds.toFixed(1)} s in all`,
    ),
    alone(
      'ship',
      `catch-up of one sandbox's history, ${n(ds.events)} events`,
      ds.events / oneSeconds,
      'events/s',
      `${oneSeconds.toFixed(1)} s; one message in flight per sandbox, so this is the round trip's rate`,
    ),
    alone(
      'ship',
      'stream bytes per event',
      state.bytes / state.messages,
      'B',
      `file store, one replica; journal frame ${ctx.frameSize} bytes`,
    ),
  ];
}

const LOAD_WORKER = fileURLToPath(new URL('../workers/ship-load.ts', import.meta.url));

interface LoadMessage {
  ready?: boolean;
  stored?: [string, number, number][];
  done?: boolean;
  stores?: number;
  seconds?: number;
  heads?: Record<string, number>;
}

/**
 * 1,000 stores/s spread over 16 sandboxes by a writer process, shipped by
 * this one: each event's lag runs from its store's return to the stream's
 * acknowledgement (both clocks are the epoch's, at sub-millisecond resolution).
 */
async function lagUnderLoad(ctx: Ctx, nats: NatsCluster): Promise<Row[]> {
  const seconds = SIZES[ctx.mode].lagSeconds;
  const root = await ctx.folder('ship-lag');
  const now = () => performance.timeOrigin + performance.now();
  const stored = new Map<string, number>();
  const acked = new Map<string, number>();
  const shipper = await startShipper({
    servers: nats.urls,
    roots: rootsUnder(root),
    host: HOST,
    stream: { name: 'LAG', prefix: 'lag' },
    onShipped: (sandbox, seq) => acked.set(`${sandbox}/${seq}`, now()),
  });
  let summary: LoadMessage = {};
  try {
    const child = fork(LOAD_WORKER, [root, String(seconds), '1000', String(SANDBOXES)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    child.on('message', (msg: LoadMessage) => {
      for (const [sandbox, seq, t] of msg.stored ?? []) stored.set(`${sandbox}/${seq}`, t);
      if (msg.done) summary = msg;
    });
    await exited;
    if (!summary.done) throw new Error('bench: the writer process ended without a summary');
    await shipper.caughtUp(new Map(Object.entries(summary.heads ?? {})), 120_000);
  } finally {
    await shipper.stop();
  }
  const lags = [...stored]
    .map(([key, t]) => (acked.get(key) ?? Number.NaN) - t)
    .filter((l) => Number.isFinite(l))
    .sort((a, b) => a - b);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? null;
  const rate = (summary.stores ?? 0) / (summary.seconds ?? seconds);
  const note = `${Math.round(rate).toLocaleString('en-US')} stores/s reached of 1,000 asked (a writer process, ${SANDBOXES} sandboxes, ${seconds} s); journals polled every 100 ms`;
  return [
    alone('ship', 'shipping lag p50, 1,000 stores/s on 16 sandboxes', pct(50), 'ms', note),
    alone('ship', 'shipping lag p99, 1,000 stores/s on 16 sandboxes', pct(99), 'ms', note),
  ];
}

/** Shipping to a local nats-server: throughput against a bare publish loop, catch-up of a long history, lag under load. */
export const shipSuite: Suite = {
  name: 'ship',
  about: 'vcstore ship against a bare JetStream publish loop; catch-up of a long history; lag under 1,000 stores/s',
  async run(ctx) {
    if (!hasNatsServer()) {
      const note = 'needs nats-server (apt-get install -y nats-server)';
      return [alone('ship', 'vcstore ship', null, 'events/s', note)];
    }
    const nats = await natsCluster();
    try {
      const only = process.env.VCSTORE_BENCH_SHIP?.split(',');
      const parts = { throughput, catchUp, lag: lagUnderLoad };
      const rows: Row[] = [];
      for (const [name, part] of Object.entries(parts))
        if (!only || only.includes(name)) rows.push(...(await part(ctx, nats)));
      return rows;
    } finally {
      await nats.close();
    }
  },
};
