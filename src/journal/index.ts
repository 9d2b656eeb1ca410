// The journal's read side, for embedders. The writer, its repair and the restore writer are internal:
// only the sandbox's writer session (src/store/session/) appends to, cuts or writes a journal.
export { bootId } from './boot-id.ts';
export { readEvents, type ReadOptions } from './reader.ts';
export { FORMAT_VERSION, eventSchema, hashBody, type EventInput, type JournalEvent } from './record.ts';
