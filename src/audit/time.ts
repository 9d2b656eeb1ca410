import { errUsage } from '../errors.ts';

const DATE = /^(\d{4}-\d{2}-\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A time as an operator types it, turned into the journal's own form (UTC,
 * ISO 8601 with milliseconds) so that it compares with event times as text.
 * A timestamp without a zone is UTC, like every journal time. A bare date is
 * its midnight, except as an upper bound (`end`), where it means the whole day.
 */
export function parseTime(text: string, edge: 'start' | 'end' = 'start'): string {
  const date = DATE.exec(text) ?? TIMESTAMP.exec(text);
  // Date would roll 02-30 over into March; a typo must not move the window.
  if (!date?.[1] || !validDay(date[1])) throw badTime(text);
  const bare = DATE.test(text);
  const zoned = bare ? `${text}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = new Date(zoned).getTime();
  if (Number.isNaN(ms)) throw badTime(text);
  return new Date(bare && edge === 'end' ? ms + DAY_MS - 1 : ms).toISOString();
}

function validDay(day: string): boolean {
  const ms = new Date(`${day}T00:00:00Z`).getTime();
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
}

const badTime = (text: string) =>
  errUsage(`invalid time ${JSON.stringify(text)}: use a date (2026-11-29) or a timestamp (2026-11-29T10:00:00Z)`);
