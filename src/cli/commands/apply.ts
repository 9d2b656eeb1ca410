import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { StoreError } from '../../errors.ts';
import { rootsUnder } from '../../layout/roots.ts';
import { parseJson } from '../../legacy/json-parse.ts';
import type { Logger } from '../../log.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { Store } from '../../store/store.ts';
import { onDriftOption } from '../drift-option.ts';
import { OpsFileSchema, runOp, type Op } from '../ops.ts';

export function applyCommand(program: Command, log: () => Logger): void {
  program
    .command('apply')
    .description('run an ops file (the legacy fixtures format) and print one JSON line per op')
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .addOption(onDriftOption())
    .argument('<ops.json>', 'a JSON array of operations')
    .action(async (file: string, opts: { root: string; onDrift: DriftPolicy }) => {
      const ops = await readOps(file);
      const store = new Store({ roots: rootsUnder(opts.root), log: log(), drift: opts.onDrift });
      try {
        for (const [i, op] of ops.entries()) {
          const line = await outcome(store, opts.root, op);
          process.stdout.write(`{"i":${i},"method":${JSON.stringify(op.method)},"error":${line.error},"result":${line.result}}\n`);
        }
      } finally {
        await store.close();
      }
    });
}

async function outcome(store: Store, root: string, op: Op): Promise<{ error: string; result: string }> {
  try {
    const result = await runOp(store, root, op);
    return { error: 'null', result: result ?? 'null' };
  } catch (err) {
    // Every failure fails its op only; the next op still runs.
    const coded = err instanceof StoreError ? err : new StoreError('EIO', (err as Error)?.message ?? String(err), { cause: err });
    return { error: JSON.stringify(coded.message), result: 'null' };
  }
}

/** Parsed without losing integers beyond 2^53, so payloads keep every digit. */
async function readOps(file: string): Promise<Op[]> {
  const text = await readFile(file, 'utf8').catch((err) => {
    throw new StoreError('EUSAGE', `cannot read ops file ${file}: ${(err as Error).message}`);
  });
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    throw new StoreError('EUSAGE', `ops file ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = OpsFileSchema.safeParse(json);
  if (!parsed.success) throw new StoreError('EUSAGE', `ops file ${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
