export { startShipper, type Shipper, type ShipperOptions } from './shipper.ts';
export type { SandboxLag } from './sandbox-shipper.ts';
export { shipStatus, type ShipStatus } from './status.ts';
export { prune, type PruneVerdict } from './prune.ts';
export { restoreHost, type RestoredSandbox } from './restore.ts';
export { withRemote, withRemoteJournal, type Remote, type RemoteHost } from './remote.ts';
export { encodeToken, decodeToken, sandboxSubject } from './subject.ts';
export { hostId } from './host-id.ts';
export { DEFAULT_STREAM, type StreamSpec } from './stream.ts';
