/** The vendored netlink and net types that network.json holds, as in types.md. */
import { any, bool, bytes, goBytes, goIP, goIface, goInt, goStruct, int, ip, ptr, slice, str } from './primitives.ts';

export const IPNet = goStruct('net.IPNet', { IP: ip(), Mask: bytes('net.IPMask') });

// The embedded *net.IPNet: when nil its IP and Mask keys are absent, when set both are written.
export const Addr = goStruct(
  'netlink.Addr',
  {
    IP: goIP().optional(),
    Mask: goBytes('net.IPMask').nullable().optional(),
    Label: str(),
    Flags: int(),
    Scope: int(),
    Peer: ptr(IPNet),
    Broadcast: ip(),
    PreferedLft: int(),
    ValidLft: int(),
  },
  { embeddedPointer: { IP: '', Mask: null } },
);

export const NexthopInfo = goStruct('netlink.NexthopInfo', {
  LinkIndex: int(),
  Hops: int(),
  Gw: ip(),
  Flags: int(),
  NewDst: goIface('netlink.Destination'),
  Encap: goIface('netlink.Encap'),
});

export const Route = goStruct('netlink.Route', {
  LinkIndex: int(),
  ILinkIndex: int(),
  Scope: int('uint8', 'netlink.Scope'),
  Dst: ptr(IPNet),
  Src: ip(),
  Gw: ip(),
  MultiPath: slice(ptr(NexthopInfo)),
  Protocol: int(),
  Priority: int(),
  Table: int(),
  Type: int(),
  Tos: int(),
  Flags: int(),
  MPLSDst: ptr(goInt('int')),
  NewDst: goIface('netlink.Destination'),
  Encap: goIface('netlink.Encap'),
  MTU: int(),
  AdvMSS: int(),
});

const u64 = () => int('uint64');

export const LinkStatistics = goStruct('netlink.LinkStatistics', {
  RxPackets: u64(),
  TxPackets: u64(),
  RxBytes: u64(),
  TxBytes: u64(),
  RxErrors: u64(),
  TxErrors: u64(),
  RxDropped: u64(),
  TxDropped: u64(),
  Multicast: u64(),
  Collisions: u64(),
  RxLengthErrors: u64(),
  RxOverErrors: u64(),
  RxCrcErrors: u64(),
  RxFrameErrors: u64(),
  RxFifoErrors: u64(),
  RxMissedErrors: u64(),
  TxAbortedErrors: u64(),
  TxCarrierErrors: u64(),
  TxFifoErrors: u64(),
  TxHeartbeatErrors: u64(),
  TxWindowErrors: u64(),
  RxCompressed: u64(),
  TxCompressed: u64(),
});

export const LinkXdp = goStruct('netlink.LinkXdp', {
  Fd: int(),
  Attached: bool(),
  Flags: int('uint32'),
  ProgId: int('uint32'),
});

export const Protinfo = goStruct('netlink.Protinfo', {
  Hairpin: bool(),
  Guard: bool(),
  FastLeave: bool(),
  RootBlock: bool(),
  Learning: bool(),
  Flood: bool(),
  ProxyArp: bool(),
  ProxyArpWiFi: bool(),
});

export const linkAttrsShape = {
  Index: int(),
  MTU: int(),
  TxQLen: int(),
  Name: str(),
  HardwareAddr: bytes('net.HardwareAddr'),
  Flags: int('uint', 'net.Flags'),
  RawFlags: int('uint32'),
  ParentIndex: int(),
  MasterIndex: int(),
  Namespace: any(),
  Alias: str(),
  Statistics: ptr(LinkStatistics),
  Promisc: int(),
  Xdp: ptr(LinkXdp),
  EncapType: str(),
  Protinfo: ptr(Protinfo),
  OperState: int('uint8', 'netlink.LinkOperState'),
  NetNsID: int(),
  NumTxQueues: int(),
  NumRxQueues: int(),
};

export const LinkAttrs = goStruct('netlink.LinkAttrs', linkAttrsShape);
