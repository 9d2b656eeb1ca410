import { errUsage } from '../errors.ts';
import { fileExists } from '../fs/missing.ts';
import { eventHash, type JournalEvent } from '../journal/record.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { silentLogger } from '../log.ts';
import { compareTree } from '../projector/compare.ts';
import { replayJournal, type ReplayOptions, type ReplayPoint } from '../projector/replay.ts';
import { checkpointFile, readCheckpoint } from '../recovery/checkpoint.ts';
import type { SandboxVerdict } from '../recovery/verify.ts';
import { packageVersion } from '../version.ts';
import { ReportBuilder, reportData, type ReportInput } from './data.ts';
import { cutFindings, verdictFindings, verdictOf } from './findings.ts';
import type { ReportData, Verdict } from './types.ts';

export interface MakeOptions {
  /** where the history was read, as the report says it */
  from: string;
  point?: ReplayPoint;
  after?: number;
  now?: Date;
  log?: ReplayOptions['log'];
}

/** What a report records beside its events: where it was read, the head, verify's verdict and the findings. */
async function inputOf(
  file: string,
  sandbox: string,
  verdict: SandboxVerdict,
  checked: Verdict['checked'],
  opts: MakeOptions,
): Promise<ReportInput> {
  const findings = [...verdictFindings(verdict), ...(checked === 'journal and tree' ? await cutFindings(file) : [])];
  return {
    sandbox,
    from: opts.from,
    version: packageVersion(),
    head: { seq: verdict.seq, hash: verdict.head, time: null },
    verify: verdictOf(verdict, checked),
    findings: findings.sort((a, b) => a.after - b.after),
    ...(opts.point ? { point: opts.point } : {}),
    ...(opts.after !== undefined ? { after: opts.after } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  };
}

/** The head's time, when the report reaches the head. */
function withHeadTime(data: ReportData, verdict: SandboxVerdict): ReportData {
  const last = data.events.at(-1);
  if (last?.seq === verdict.seq) data.head.time = last.time;
  return data;
}

/**
 * A sandbox's report from a journal file and what verify said of it. A
 * damaged journal is reported up to its damage, which is marked: a
 * post-mortem is most needed where the history is hurt.
 */
export async function reportOf(
  file: string,
  sandbox: string,
  verdict: SandboxVerdict,
  checked: Verdict['checked'],
  opts: MakeOptions,
): Promise<ReportData> {
  const input = await inputOf(file, sandbox, verdict, checked, opts);
  const data = await reportData(file, input, { untilDamage: true, ...(opts.log ? { log: opts.log } : {}) });
  return withHeadTime(data, verdict);
}

/**
 * The report of a sandbox under a local root, from one read of its journal:
 * the read that verifies it (frames, chain, schema, to the end or the first
 * damage, as `vcstore verify` reads it) also feeds the report, which takes
 * the events up to the point asked for. The tree is then compared with the
 * replay, as verify does.
 */
export async function localReport(roots: Roots, sandbox: string, opts: MakeOptions): Promise<ReportData> {
  const file = journalFile(roots, sandbox);
  const point = opts.point ?? {};
  const builder = new ReportBuilder(point, opts.after);
  const verdict = await verifyWhileReading(roots, sandbox, file, builder.take, opts.log);
  const reached = builder.last?.seq ?? 0;
  if (point.seq !== undefined && point.seq !== reached)
    throw errUsage(`${file}: there is no event ${point.seq}; the journal ends at ${reached}`, { file, seq: reached });
  const data = builder.finish(await inputOf(file, sandbox, verdict, 'journal and tree', opts));
  return withHeadTime(data, verdict);
}

/**
 * `verifySandbox`'s verdict (recovery/verify.ts), from a replay that also
 * tells `onEvent` of each event: the same checks in the same order, so the
 * report records what `vcstore verify --sandbox` says. A test holds the two
 * equal.
 */
async function verifyWhileReading(
  roots: Roots,
  sandbox: string,
  file: string,
  onEvent: (event: JournalEvent) => void,
  log?: ReplayOptions['log'],
): Promise<SandboxVerdict> {
  let torn: SandboxVerdict['torn'];
  const replay = await replayJournal(
    file,
    {},
    {
      untilDamage: true,
      checkSchema: true,
      onTornTail: (t) => (torn = t),
      onEvent,
      ...(log ? { log } : {}),
    },
  );
  const { count, last, model } = replay;
  let damage: SandboxVerdict['damage'] = replay.damage
    ? { code: replay.damage.code, offset: replay.damage.offset, message: replay.damage.message }
    : undefined;
  if (!damage && !(await fileExists(file)))
    damage = { code: 'ENOENT', message: `${file}: no journal for this sandbox` };
  // A damaged journal has no trustworthy replay to compare the tree with.
  const drift = damage ? [] : await compareTree(roots, model, sandbox);
  const checkpoint = damage ? undefined : await readCheckpoint(checkpointFile(file), silentLogger);
  const seq = last?.seq ?? 0;
  const lost = checkpoint && checkpoint.seq > seq ? { checkpointSeq: checkpoint.seq, journalSeq: seq } : undefined;
  const consistent = !torn && !damage && !lost && drift.length === 0;
  return {
    sandbox,
    events: count,
    seq,
    head: last ? eventHash(last) : '',
    torn,
    damage,
    ...(lost ? { lost } : {}),
    drift,
    consistent,
  };
}
