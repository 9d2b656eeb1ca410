import type { Command } from 'commander';
import { isStoreError } from '../../errors.ts';
import { checkId } from '../../layout/ids.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { journaledSandboxes } from '../../layout/journals.ts';
import type { Recovery } from '../../store/session/recover.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { Store } from '../../store/store.ts';
import { existingRoot, ROOT_ABOUT, ROOT_FLAG } from '../audit-args.ts';
import { onDriftOption } from '../drift-option.ts';
import { EXIT } from '../exit-codes.ts';
import { journalJob } from '../journal-job.ts';

export function recoverCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .option('--sandbox <id>', 'only this sandbox')
    .option(
      '--truncate-at-corruption',
      'keep the good prefix of a damaged journal (the whole file is copied to <name>.broken first)',
    )
    .option('--json', 'one JSON line per sandbox')
    .addOption(onDriftOption())
    .action(
      async (opts: {
        root: string;
        sandbox?: string;
        truncateAtCorruption?: boolean;
        json?: boolean;
        onDrift: DriftPolicy;
      }) => {
        const roots = rootsUnder(await existingRoot(opts.root));
        if (opts.sandbox !== undefined) checkId('sandbox', opts.sandbox);
        const ids = opts.sandbox !== undefined ? [opts.sandbox] : await journaledSandboxes(roots);
        const store = new Store({ roots, log: log(), drift: opts.onDrift });
        const job = await journalJob('recover', roots, ids);
        const truncate = opts.truncateAtCorruption === true ? { truncateAtCorruption: true } : {};
        let refused = 0;
        try {
          for (const [i, id] of ids.entries()) {
            try {
              const done = await store.recover(id, truncate);
              job.finished(i);
              job.bar.print(opts.json ? JSON.stringify(asJson(id, done)) : describe(id, done));
            } catch (err) {
              // One sandbox that cannot be recovered does not stop the others.
              if (!isStoreError(err)) throw err;
              refused++;
              job.finished(i);
              const damaged = ['ECORRUPT', 'ECHAIN'].includes(err.code);
              const hint = damaged
                ? 'run again with --truncate-at-corruption to keep the events before it'
                : `code ${err.code}`;
              job.bar.print(
                opts.json
                  ? JSON.stringify({ sandbox: id, refused: err.code, offset: err.offset, message: err.message })
                  : `${id}: refused: ${err.message}; ${hint}`,
              );
            }
          }
        } finally {
          job.bar.done();
          await store.close();
        }
        process.exitCode = refused > 0 ? EXIT.findings : EXIT.ok;
      },
    );
}

function asJson(sandbox: string, r: Recovery) {
  return {
    sandbox,
    seq: r.seq,
    torn: r.torn ?? null,
    cut: r.cut ?? null,
    lost: r.lost ?? null,
    rebuilt: r.rebuilt,
    temps: r.temps,
    leftovers: r.leftovers,
  };
}

function describe(sandbox: string, r: Recovery): string {
  const did = [
    ...(r.torn ? [`cut a torn tail of ${r.torn.bytes} bytes at offset ${r.torn.offset}`] : []),
    ...(r.cut?.broken
      ? [`cut ${r.cut.bytesRemoved} damaged bytes at offset ${r.cut.offset} (copy in ${r.cut.broken})`]
      : []),
    ...(r.lost
      ? [
          `HISTORY LOST: the checkpoint knew events up to ${r.lost.checkpointSeq}, the journal ends at ${r.lost.journalSeq}`,
        ]
      : []),
    ...(r.rebuilt.length > 0 ? [`rebuilt ${r.rebuilt.join(', ')}`] : []),
    ...(r.temps.length > 0 ? [`removed temp files ${r.temps.join(', ')}`] : []),
    ...(r.leftovers.length > 0
      ? [`left in place: ${r.leftovers.map((d) => `${d.problem} ${d.path}`).join(', ')}`]
      : []),
  ];
  return `${sandbox}: ${did.length > 0 ? did.join('; ') : 'nothing to do'} (at event ${r.seq})`;
}
