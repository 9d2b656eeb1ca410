import type { EventRow, Source } from '../types.ts';

/** What an event did, in the words of `vcstore log` (without the time, pid and boot, shown apart). */
export function describeRow(row: EventRow, sandbox: string): string {
  const of = row.container ? ` of container ${row.container}` : '';
  switch (row.op) {
    case 'create':
      return `create sandbox ${sandbox}${row.containers?.length ? ` with ${row.containers.join(', ')}` : ''}`;
    case 'store':
      return `store ${row.resource ?? '?'}${of} (${row.size ?? 0} bytes)`;
    case 'delete':
      return `delete ${(row.resources ?? []).join(', ') || 'nothing'}${of}`;
    case 'reboot':
      return 'host rebooted: run state cleared';
    case 'checkpoint':
      return 'checkpoint';
    case 'observe': {
      const found =
        row.found === 'absent'
          ? 'absent'
          : row.found === 'dir'
            ? 'a folder'
            : row.found === 'link'
              ? 'a symbolic link'
              : `${row.size ?? 0} bytes${row.parsed === false ? ', torn or not parseable' : ''}`;
      const done = row.source === 'restore' ? 'restored from the journal' : 'adopted';
      return `outside write: ${row.path ?? ''}: ${found}; ${done}`;
    }
  }
}

export const SOURCE_NAMES: Record<Source, string> = {
  vcstore: 'vcstore',
  observed: 'outside write (adopted)',
  restore: 'outside write (restored)',
  import: 'import',
};

/** Marks drawn on a row: the traces a post-mortem looks for first. */
export function marksOf(row: EventRow): string[] {
  const marks: string[] = [];
  if (row.op === 'reboot') marks.push('reboot');
  if (row.op === 'checkpoint') marks.push('checkpoint');
  if (row.op === 'observe') marks.push('drift');
  if (row.source === 'import') marks.push('import');
  return marks;
}
