import type { JournalEvent } from './record.ts';

/** A record's place in the file: its first byte and the byte just past it. */
export interface RecordMark {
  start: number;
  end: number;
}

/** Where a checkpoint says to resume: its record, which `accepts` must also approve. */
export interface ResumePoint extends RecordMark {
  seq: number;
  head: string;
  accepts: (event: JournalEvent) => boolean;
}
