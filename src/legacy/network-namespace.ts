/**
 * network.json: NetworkNamespace's own MarshalJSON/UnmarshalJSON. Endpoints
 * are written as []TypedJSONEndpoint (`Type` = the EndpointType field); on
 * reading, an unknown `Type` is dropped and a missing `Endpoints` is an error.
 */
import { z } from 'zod';
import { decodeGo } from './go-decode.ts';
import { encodeAny } from './go-encode.ts';
import { encodeString } from './go-string.ts';
import { type TypedEntry, decodeRaw, encodeTyped, typedEntry } from './typed-list.ts';
import { PhysicalEndpoint, TypedJSONEndpoint, VhostUserEndpoint, VirtualEndpoint } from './types/network.ts';
import { bool, goStruct, rawMessage, str } from './types/primitives.ts';

export const endpointSchemas = { VirtualEndpoint, PhysicalEndpoint, VhostUserEndpoint };

export type EndpointTypeName = keyof typeof endpointSchemas;
export type EndpointEntry = TypedEntry<EndpointTypeName>;

export const NetworkNamespace = goStruct('virtcontainers.NetworkNamespace', {
  NetNsPath: str(),
  NetNsCreated: bool(),
  Endpoints: z
    .array(
      z.discriminatedUnion('type', [
        typedEntry('VirtualEndpoint', VirtualEndpoint),
        typedEntry('PhysicalEndpoint', PhysicalEndpoint),
        typedEntry('VhostUserEndpoint', VhostUserEndpoint),
      ]),
    )
    .nullable()
    .default(null),
});

export interface NetworkNamespaceValue {
  NetNsPath: string;
  NetNsCreated: boolean;
  Endpoints: EndpointEntry[] | null;
  [extra: string]: unknown;
}

const readable = new Map<string, EndpointTypeName>([
  ['virtual', 'VirtualEndpoint'],
  ['physical', 'PhysicalEndpoint'],
  ['vhost-user', 'VhostUserEndpoint'],
]);

// the anonymous struct UnmarshalJSON decodes into first
const Shadow = goStruct(
  'struct { NetNsPath string; NetNsCreated bool; Endpoints json.RawMessage }',
  { NetNsPath: str(), NetNsCreated: bool(), Endpoints: rawMessage() },
  { short: '' },
);

const TypedEndpointList = z.array(TypedJSONEndpoint).nullable();

/** A nil and an empty endpoint list are both `null`; members vcstore does not know follow. */
export function encodeNetwork(ns: NetworkNamespaceValue): string {
  const { NetNsPath, NetNsCreated, Endpoints, ...extra } = ns;
  const endpoints = Endpoints?.length
    ? `[${Endpoints.map((e) => encodeTyped(e.value.EndpointType, endpointSchemas[e.type], e.value)).join(',')}]`
    : 'null';
  const known = `"NetNsPath":${encodeString(NetNsPath)},"NetNsCreated":${NetNsCreated === true},"Endpoints":${endpoints}`;
  const rest = Object.entries(extra).filter(([, v]) => v !== undefined);
  return `{${[known, ...rest.map(([k, v]) => `${encodeString(k)}:${encodeAny(v)}`)].join(',')}}`;
}

export function decodeNetwork(json: unknown): NetworkNamespaceValue {
  const shadow = decodeGo(Shadow, json);
  const typed = decodeRaw(TypedEndpointList, shadow.Endpoints);
  const endpoints = (typed ?? []).flatMap(({ Type, Data }): EndpointEntry[] => {
    const type = readable.get(Type);
    return type === undefined ? [] : [{ type, value: decodeRaw(endpointSchemas[type], Data) }];
  });
  return {
    NetNsPath: shadow.NetNsPath,
    NetNsCreated: shadow.NetNsCreated,
    Endpoints: endpoints.length ? endpoints : null,
  };
}
