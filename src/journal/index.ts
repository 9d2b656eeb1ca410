export { bootId } from './boot-id.ts';
export { readEvents, type ReadOptions } from './reader.ts';
export { FORMAT_VERSION, eventSchema, hashBody, type EventInput, type JournalEvent } from './record.ts';
export { truncateAtCorruption, type CorruptionRepair } from './repair.ts';
export { JournalWriter } from './writer.ts';
