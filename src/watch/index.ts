export { TreeWatcher, SETTLE_MS, type WatchOptions } from './watcher.ts';
