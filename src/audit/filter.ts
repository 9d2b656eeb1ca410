import type { JournalEvent } from '../journal/record.ts';
import { rootOf, toResource, type Resource } from '../layout/resources.ts';

/** Which events an operator asks for; every field given must match (bounds inclusive). */
export interface EventFilter {
  container?: string;
  resource?: Resource;
  op?: string;
  /** `observed`: only what was found written outside vcstore; `vcstore`: only vcstore's own events */
  source?: 'observed' | 'vcstore';
  /** UTC ISO 8601 with milliseconds, as the journal writes times (see parseTime) */
  since?: string;
  until?: string;
  fromSeq?: number;
  toSeq?: number;
}

export function matches(event: JournalEvent, filter: EventFilter): boolean {
  if (filter.fromSeq !== undefined && event.seq < filter.fromSeq) return false;
  if (filter.toSeq !== undefined && event.seq > filter.toSeq) return false;
  if (filter.since !== undefined && event.time < filter.since) return false;
  if (filter.until !== undefined && event.time > filter.until) return false;
  if (filter.op !== undefined && event.op !== filter.op) return false;
  if (filter.source !== undefined && (event.op === 'observe') !== (filter.source === 'observed')) return false;
  if (filter.container !== undefined && !touchesContainer(event, filter.container)) return false;
  if (filter.resource !== undefined && !touchesResource(event, filter.resource)) return false;
  return true;
}

/**
 * An event touches a container when it may have changed one of its files: a
 * sandbox-level delete or a reboot removes the container's folders too.
 */
function touchesContainer(event: JournalEvent, container: string): boolean {
  switch (event.op) {
    case 'create':
      return event.containers?.includes(container) ?? false;
    case 'store':
      return event.container === container;
    case 'delete':
      return event.container === container || (event.container === undefined && (event.resources ?? []).length > 0);
    case 'reboot':
      return true;
    case 'observe':
      return event.container === container || event.path?.split('/')[2] === container;
    default:
      return false;
  }
}

/** A delete removes whole folders: every resource in the folder it removes is touched. */
function touchesResource(event: JournalEvent, resource: Resource): boolean {
  switch (event.op) {
    case 'create':
      return resource === 'lock';
    case 'store':
      return event.resource === resource;
    case 'delete':
      return (event.resources ?? []).some((r) => {
        const removed = toResource(r);
        return removed !== undefined && rootOf(removed) === rootOf(resource);
      });
    case 'reboot':
      return rootOf(resource) === 'run';
    case 'observe':
      // A folder found absent or made stands for every file in it.
      return (
        event.resource === resource ||
        (event.found !== 'file' && event.path?.startsWith(`${rootOf(resource)}/`) === true)
      );
    default:
      return false;
  }
}
