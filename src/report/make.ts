import { journalFile, type Roots } from '../layout/roots.ts';
import type { ReplayOptions, ReplayPoint } from '../projector/replay.ts';
import { verifySandbox, type SandboxVerdict } from '../recovery/verify.ts';
import { packageVersion } from '../version.ts';
import { reportData } from './data.ts';
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
  const findings = [...verdictFindings(verdict), ...(checked === 'journal and tree' ? await cutFindings(file) : [])];
  const data = await reportData(
    file,
    {
      sandbox,
      from: opts.from,
      version: packageVersion(),
      head: { seq: verdict.seq, hash: verdict.head, time: null },
      verify: verdictOf(verdict, checked),
      findings: findings.sort((a, b) => a.after - b.after),
      ...(opts.point ? { point: opts.point } : {}),
      ...(opts.after !== undefined ? { after: opts.after } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    },
    { untilDamage: true, ...(opts.log ? { log: opts.log } : {}) },
  );
  const last = data.events.at(-1);
  if (last?.seq === verdict.seq) data.head.time = last.time;
  return data;
}

/** The report of a sandbox under a local root: its journal, verified with its tree. */
export async function localReport(roots: Roots, sandbox: string, opts: MakeOptions): Promise<ReportData> {
  const verdict = await verifySandbox(roots, sandbox);
  return reportOf(journalFile(roots, sandbox), sandbox, verdict, 'journal and tree', opts);
}
