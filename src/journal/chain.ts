import { errChain } from '../errors.ts';
import { hashBody, type JournalEvent } from './record.ts';

/** The sequence number and head hash so far; each record must follow them. */
export class Chain {
  seq = 0;
  head = '';

  /** Accepts the next record or throws ECHAIN; a failed check changes nothing. */
  accept(event: JournalEvent, body: Uint8Array, file: string, offset: number): void {
    if (event.seq !== this.seq + 1) {
      throw errChain(`${where(file, offset)} has seq ${event.seq}, expected ${this.seq + 1}`, {
        file,
        offset,
        seq: event.seq,
      });
    }
    if (event.prev !== this.head) {
      throw errChain(`${where(file, offset)} (seq ${event.seq}) does not chain: prev hash differs`, {
        file,
        offset,
        seq: event.seq,
      });
    }
    this.seq = event.seq;
    this.head = hashBody(body);
  }
}

// Built only when a check fails: a replay accepts a million records.
const where = (file: string, offset: number) => `${file}: record at offset ${offset}`;
