/** The kata network types that network.json holds, as in types.md. */
import { Addr, Route, linkAttrsShape } from './netlink.ts';
import { bool, embed, goStruct, int, rawMessage, slice, str } from './primitives.ts';

/** *os.File has only unexported fields: Go writes `{}`. */
export const OsFile = goStruct('os.File', {});

// netlink.LinkAttrs is embedded: its fields come inline, before Type
export const NetlinkIface = goStruct('virtcontainers.NetlinkIface', { ...linkAttrsShape, Type: str() });

export const DNSInfo = goStruct('virtcontainers.DNSInfo', {
  Servers: slice(str()),
  Domain: str(),
  Searches: slice(str()),
  Options: slice(str()),
});

export const NetworkInfo = goStruct('virtcontainers.NetworkInfo', {
  Iface: embed(NetlinkIface),
  Addrs: slice(Addr),
  Routes: slice(Route),
  DNS: embed(DNSInfo),
});

export const NetworkInterface = goStruct('virtcontainers.NetworkInterface', {
  Name: str(),
  HardAddr: str(),
  Addrs: slice(Addr),
});

export const NetworkInterfacePair = goStruct('virtcontainers.NetworkInterfacePair', {
  ID: str(),
  Name: str(),
  VirtIface: embed(NetworkInterface),
  TAPIface: embed(NetworkInterface),
  // an embedded non-struct: a plain key named after its type
  NetInterworkingModel: int('int', 'virtcontainers.NetInterworkingModel'),
  VMFds: slice(OsFile.nullable()),
  VhostFds: slice(OsFile.nullable()),
});

const endpointType = () => str('virtcontainers.EndpointType');

export const VirtualEndpoint = goStruct('virtcontainers.VirtualEndpoint', {
  NetPair: embed(NetworkInterfacePair),
  EndpointProperties: embed(NetworkInfo),
  Physical: bool(),
  EndpointType: endpointType(),
});

export const PhysicalEndpoint = goStruct('virtcontainers.PhysicalEndpoint', {
  IfaceName: str(),
  HardAddr: str(),
  EndpointProperties: embed(NetworkInfo),
  EndpointType: endpointType(),
  BDF: str(),
  Driver: str(),
  VendorDeviceID: str(),
});

export const VhostUserEndpoint = goStruct('virtcontainers.VhostUserEndpoint', {
  SocketPath: str(),
  HardAddr: str(),
  IfaceName: str(),
  EndpointProperties: embed(NetworkInfo),
  EndpointType: endpointType(),
});

/** The on-disk wrapper of one endpoint in network.json. */
export const TypedJSONEndpoint = goStruct('virtcontainers.TypedJSONEndpoint', {
  Type: endpointType(),
  Data: rawMessage(),
});
