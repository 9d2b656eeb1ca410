/** The Device implementations that devices.json holds, as in types.md. */
import { bool, embed, goStruct, int, rawMessage, str } from './primitives.ts';

export const DeviceInfo = goStruct('virtcontainers.DeviceInfo', {
  HostPath: str(),
  ContainerPath: str(),
  DevType: str(),
  Major: int('int64'),
  Minor: int('int64'),
  // mode bits including type bits (ModeDevice 1<<26, ModeCharDevice 1<<21)
  FileMode: int('uint32', 'os.FileMode'),
  UID: int('uint32'),
  GID: int('uint32'),
  Hotplugged: bool(),
  ID: str(),
});

const common = { DeviceType: str(), DeviceInfo: embed(DeviceInfo) };

export const VFIODevice = goStruct('virtcontainers.VFIODevice', { ...common, BDF: str() });

export const BlockDevice = goStruct('virtcontainers.BlockDevice', { ...common, SCSIAddr: str(), VirtPath: str() });

export const GenericDevice = goStruct('virtcontainers.GenericDevice', { ...common });

// embedded in the vhost-user devices: its fields are written inline, first
const vhostUserAttrs = { ...common, SocketPath: str(), ID: str() };

export const VhostUserDeviceAttrs = goStruct('virtcontainers.VhostUserDeviceAttrs', vhostUserAttrs);

export const VhostUserNetDevice = goStruct('virtcontainers.VhostUserNetDevice', {
  ...vhostUserAttrs,
  MacAddress: str(),
});

export const VhostUserSCSIDevice = goStruct('virtcontainers.VhostUserSCSIDevice', { ...vhostUserAttrs });

export const VhostUserBlkDevice = goStruct('virtcontainers.VhostUserBlkDevice', { ...vhostUserAttrs });

/** The on-disk wrapper of one device in devices.json. */
export const TypedDevice = goStruct('virtcontainers.TypedDevice', { Type: str(), Data: rawMessage() });
