import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { eventHash } from '../../journal/record.ts';
import { errIO, errUsage, isStoreError } from '../../errors.ts';
import { rootsUnder } from '../../layout/roots.ts';
import { parseJson } from '../../legacy/json-parse.ts';
import type { Logger } from '../../log.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { Store } from '../../store/store.ts';
import { onDriftOption } from '../drift-option.ts';
import { EXIT } from '../exit-codes.ts';
import { describeIssues } from '../format.ts';
import { applyOp, OpsFileSchema, type Op } from '../ops.ts';

export function applyCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal (made if missing)')
    .addOption(onDriftOption())
    .argument('<ops.json>', 'a JSON array of operations, or - to read it from stdin')
    .action(async (file: string, opts: { root: string; onDrift: DriftPolicy }) => {
      const ops = await readOps(file);
      const store = new Store({ roots: rootsUnder(opts.root), log: log(), drift: opts.onDrift });
      let failed = 0;
      try {
        for (const [i, op] of ops.entries()) {
          const line = await outcome(store, opts.root, op);
          if (line.code !== 'null') failed++;
          process.stdout.write(
            `{"i":${i},"method":${JSON.stringify(op.method)},"error":${line.error},"code":${line.code},"result":${line.result}}\n`,
          );
        }
      } finally {
        await store.close();
      }
      if (failed > 0) process.exitCode = EXIT.findings;
    });
}

interface Line {
  error: string;
  code: string;
  result: string;
}

/** A refused op is a line with the store's message and code; anything else is a failure of the run. */
async function outcome(store: Store, root: string, op: Op): Promise<Line> {
  try {
    const { result, event } = await applyOp(store, root, op);
    // A mutation answers with the event it appended: its sequence number and chain hash, the head after it.
    const answer = event === undefined ? result : JSON.stringify({ seq: event.seq, hash: eventHash(event) });
    return { error: 'null', code: 'null', result: answer ?? 'null' };
  } catch (err) {
    // Every failure fails its op only; the next op still runs.
    const coded = isStoreError(err) ? err : errIO((err as Error)?.message ?? String(err), { cause: err });
    return { error: JSON.stringify(coded.message), code: JSON.stringify(coded.code), result: 'null' };
  }
}

/** Parsed without losing integers beyond 2^53, so payloads keep every digit. */
async function readOps(file: string): Promise<Op[]> {
  const name = file === '-' ? 'stdin' : file;
  const text = await (file === '-' ? readStdin() : readFile(file, 'utf8')).catch((err: unknown) => {
    throw errUsage(`cannot read ops file ${name}: ${err instanceof Error ? err.message : String(err)}`);
  });
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    throw errUsage(`ops file ${name} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = OpsFileSchema.safeParse(json);
  if (!parsed.success) throw errUsage(`ops file ${name}: ${describeIssues(parsed.error.issues, 'op')}`);
  return parsed.data;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
