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
  else if (event.found === 'link') found = `a link to ${JSON.stringify(event.target ?? '')}`;
  else {
    const size =
      event.bytes !== undefined ? Buffer.from(event.bytes, 'base64').length : Buffer.byteLength(event.payload ?? '');
    found = `${size} bytes${event.bytes !== undefined ? ' (not UTF-8)' : ''}${event.parsed === false ? ', torn or not parseable' : ''}`;
  }
  return `${event.path}: ${found}; ${event.policy === 'adopt' ? 'adopted' : 'restored from the journal'}`;
}

/** One zod issue, as much as the CLI words it (zod's own text starts "Invalid input:" and names JS types). */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
  values?: unknown[];
  minimum?: unknown;
}

const article = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/**
 * Zod's issues in vcstore's words, joined by `; `: `op 2: method: missing (expected a string)`,
 * `expected an array, got an object`. A leading array index is named `item` (`op 2`).
 */
export function describeIssues(issues: readonly Issue[], item = 'item'): string {
  return issues
    .map((issue) => {
      const [first, ...rest] = issue.path;
      const parts = [
        ...(typeof first === 'number' ? [`${item} ${first}`] : first === undefined ? [] : [String(first)]),
        ...(rest.length
          ? [
              rest
                .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
                .join('')
                .replace(/^\./, ''),
            ]
          : []),
      ];
      return [...parts, issueText(issue)].join(': ');
    })
    .join('; ');
}

function issueText(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const got = /received (\w+)/.exec(issue.message)?.[1];
      const expected = article(String(issue.expected));
      return got === 'undefined'
        ? `missing (expected ${expected})`
        : `expected ${expected}${got ? `, got ${article(got)}` : ''}`;
    }
    case 'invalid_value':
      return `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `too small (at least ${String(issue.minimum)})`;
    default: {
      const text = issue.message.replace(/^Invalid input:?\s*/, '') || 'not a valid value';
      return text.charAt(0).toLowerCase() + text.slice(1);
    }
  }
}
