/** Mount (mounts.json, ContainerConfig.Mounts), as in types.md. */
import { BlockDevice } from './devices.ts';
import { bool, goStruct, ptr, slice, str } from './primitives.ts';

export const Mount = goStruct('virtcontainers.Mount', {
  Source: str(),
  Destination: str(),
  Type: str(),
  Options: slice(str()),
  HostPath: str(),
  ReadOnly: bool(),
  BlockDevice: ptr(BlockDevice),
});
