/** Sandbox configuration (config.json at sandbox level) and its parts, as in types.md. */
import { any, bool, embed, goStruct, int, slice, str, stringMap } from './primitives.ts';
import { ContainerConfig } from './container.ts';

export const Hook = goStruct('virtcontainers.Hook', {
  Path: str(),
  Args: slice(str()),
  Env: slice(str()),
  Timeout: int(),
});

export const Hooks = goStruct('virtcontainers.Hooks', {
  PreStartHooks: slice(Hook),
  PostStartHooks: slice(Hook),
  PostStopHooks: slice(Hook),
});

export const Resources = goStruct('virtcontainers.Resources', { Memory: int('uint') });

export const Param = goStruct('virtcontainers.Param', { Key: str(), Value: str() });

export const HypervisorConfig = goStruct('virtcontainers.HypervisorConfig', {
  KernelParams: slice(Param),
  HypervisorParams: slice(Param),
  KernelPath: str(),
  ImagePath: str(),
  InitrdPath: str(),
  FirmwarePath: str(),
  MachineAccelerators: str(),
  HypervisorPath: str(),
  BlockDeviceDriver: str(),
  HypervisorMachineType: str(),
  // customAssets is unexported: never written
  DefaultVCPUs: int('uint32'),
  DefaultMaxVCPUs: int('uint32'),
  DefaultMemSz: int('uint32'),
  DefaultBridges: int('uint32'),
  DisableBlockDeviceUse: bool(),
  EnableIOThreads: bool(),
  Debug: bool(),
  MemPrealloc: bool(),
  HugePages: bool(),
  Realtime: bool(),
  Mlock: bool(),
  DisableNestingChecks: bool(),
  Msize9p: int('uint32'),
});

export const ProxyConfig = goStruct('virtcontainers.ProxyConfig', { Path: str(), Debug: bool() });

export const NetworkConfig = goStruct('virtcontainers.NetworkConfig', {
  NetNSPath: str(),
  NumInterfaces: int(),
  InterworkingModel: int('int', 'virtcontainers.NetInterworkingModel'),
});

export const Volume = goStruct('virtcontainers.Volume', { MountTag: str(), HostPath: str() });

export const SandboxConfig = goStruct('virtcontainers.SandboxConfig', {
  ID: str(),
  Hostname: str(),
  Hooks: embed(Hooks),
  VMConfig: embed(Resources),
  HypervisorType: str('virtcontainers.HypervisorType'),
  HypervisorConfig: embed(HypervisorConfig),
  AgentType: str('virtcontainers.AgentType'),
  AgentConfig: any(),
  ProxyType: str('virtcontainers.ProxyType'),
  ProxyConfig: embed(ProxyConfig),
  ShimType: str('virtcontainers.ShimType'),
  ShimConfig: any(),
  NetworkModel: str('virtcontainers.NetworkModel'),
  NetworkConfig: embed(NetworkConfig),
  Volumes: slice(Volume),
  Containers: slice(ContainerConfig),
  Annotations: stringMap(),
});

// Typical values of the interface{} fields AgentConfig and ShimConfig.
export const KataAgentConfig = goStruct('virtcontainers.KataAgentConfig', { GRPCSocket: str(), LongLiveConn: bool() });
export const HyperConfig = goStruct('virtcontainers.HyperConfig', { SockCtlName: str(), SockTtyName: str() });
export const ShimConfig = goStruct('virtcontainers.ShimConfig', { Path: str(), Debug: bool() });
