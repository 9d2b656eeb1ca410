import type { EventOf, JournalEvent } from '../journal/record.ts';

/** One event as a line an operator reads: `#3 2026-…Z store state of container c1 (58 bytes) pid 41 boot 1c9e…`. */
export function describeEvent(event: JournalEvent): string {
  const where = 'container' in event && event.container ? ` of container ${event.container}` : '';
  let what: string;
  switch (event.op) {
    case 'create':
      what = `create sandbox ${event.sandbox}${event.containers?.length ? ` with ${event.containers.join(', ')}` : ''}`;
      break;
    case 'store':
      what = `store ${event.resource}${where} (${Buffer.byteLength(event.payload ?? '')} bytes)`;
      break;
    case 'delete':
      what = `delete ${(event.resources ?? []).join(', ') || 'nothing'}${where}`;
      break;
    case 'reboot':
      what = 'host rebooted: run state cleared';
      break;
    case 'observe':
      return `#${event.seq} ${event.time} observed ${describeObservation(event)} (outside write, pid unknown, seen at ${event.time})`;
    case 'checkpoint':
      what = 'checkpoint';
      break;
  }
  return `#${event.seq} ${event.time} ${what} pid ${event.pid} boot ${event.boot.slice(0, 8)}`;
}

/** What an observation found and did: `run/sb/state.json: 19 bytes, torn or not a State; adopted`. */
function describeObservation(event: EventOf<'observe'>): string {
  let found: string;
  if (event.found === 'absent') found = 'absent';
  else if (event.found === 'dir') found = 'a folder';
  else {
    const size =
      event.bytes !== undefined ? Buffer.from(event.bytes, 'base64').length : Buffer.byteLength(event.payload ?? '');
    found = `${size} bytes${event.bytes !== undefined ? ' (not UTF-8)' : ''}${event.parsed === false ? ', torn or not parseable' : ''}`;
  }
  return `${event.path}: ${found}; ${event.policy === 'adopt' ? 'adopted' : 'restored from the journal'}`;
}
