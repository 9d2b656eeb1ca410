/** Container configuration (config.json at container level) and its parts, as in types.md. */
import { DeviceInfo } from './devices.ts';
import { Mount } from './mount.ts';
import { bool, embed, goStruct, int, slice, str, stringMap } from './primitives.ts';

export const EnvVar = goStruct('virtcontainers.EnvVar', { Var: str(), Value: str() });

export const LinuxCapabilities = goStruct('virtcontainers.LinuxCapabilities', {
  Bounding: slice(str()),
  Effective: slice(str()),
  Inheritable: slice(str()),
  Permitted: slice(str()),
  Ambient: slice(str()),
});

export const Cmd = goStruct('virtcontainers.Cmd', {
  Args: slice(str()),
  Envs: slice(EnvVar),
  SupplementaryGroups: slice(str()),
  User: str(),
  PrimaryGroup: str(),
  WorkDir: str(),
  Console: str(),
  Capabilities: embed(LinuxCapabilities),
  Interactive: bool(),
  Detach: bool(),
  NoNewPrivileges: bool(),
});

export const ContainerResources = goStruct('virtcontainers.ContainerResources', {
  CPUQuota: int('int64'),
  CPUPeriod: int('uint64'),
  CPUShares: int('uint64'),
});

export const ContainerConfig = goStruct('virtcontainers.ContainerConfig', {
  ID: str(),
  RootFs: str(),
  ReadonlyRootfs: bool(),
  Cmd: embed(Cmd),
  Annotations: stringMap(),
  Mounts: slice(Mount),
  DeviceInfos: slice(DeviceInfo),
  Resources: embed(ContainerResources),
});
