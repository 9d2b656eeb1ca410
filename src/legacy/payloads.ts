/**
 * The payloads the store persists, by legacy type: validated with zod,
 * encoded byte for byte as Go's json.Marshal wrote them, and decoded as Go's
 * json.Unmarshal read them back.
 */
import { z } from 'zod';
import { errPayload } from '../errors.ts';
import { DeviceList, decodeDeviceList, encodeDeviceList } from './device-list.ts';
import { decodeGo } from './go-decode.ts';
import { encodeGo } from './go-encode.ts';
import type { Schema } from './go-schema.ts';
import { parseJson } from './json-parse.ts';
import { NetworkNamespace, decodeNetwork, encodeNetwork } from './network-namespace.ts';
import { payloadError } from './payload-issues.ts';
import { boundValue } from './value-bounds.ts';
import { HyperAgentState, KataAgentState, QemuState } from './types/agent.ts';
import { SandboxConfig } from './types/config.ts';
import { ContainerConfig } from './types/container.ts';
import { Mount } from './types/mount.ts';
import { goAny, goString } from './types/primitives.ts';
import { Process, State } from './types/state.ts';

export type PayloadType =
  | 'SandboxConfig'
  | 'ContainerConfig'
  | 'State'
  | 'NetworkNamespace'
  | 'Process'
  | '[]Mount'
  | '[]Device'
  | 'QemuState'
  | 'KataAgentState'
  | 'HyperAgentState'
  | 'interface{}'
  | 'map[string]interface{}'
  | 'string';

interface Codec {
  /** Validate (zod), then encode the checked value. */
  encode(type: PayloadType, value: unknown): string;
  decode(json: unknown): unknown;
}

/** A schema with the writer of its output type and the reader of its files. */
function codec<S extends Schema>(
  schema: S,
  encode: (value: z.output<S>) => string,
  decode: (json: unknown) => unknown,
): Codec {
  return {
    encode(type: PayloadType, value: unknown): string {
      const parsed = z.safeParse(schema, value);
      if (!parsed.success) throw payloadError(type, parsed.error);
      return encode(parsed.data);
    },
    decode,
  };
}

/** A type json.Marshal/Unmarshal handle directly. */
const plain = (schema: Schema): Codec =>
  codec(
    schema,
    (value) => encodeGo(schema, value),
    (json) => decodeGo(schema, json),
  );

const codecs: Record<PayloadType, Codec> = {
  SandboxConfig: plain(SandboxConfig),
  ContainerConfig: plain(ContainerConfig),
  State: plain(State),
  Process: plain(Process),
  QemuState: plain(QemuState),
  KataAgentState: plain(KataAgentState),
  HyperAgentState: plain(HyperAgentState),
  '[]Mount': plain(z.array(Mount).nullable()),
  'interface{}': plain(goAny()),
  'map[string]interface{}': plain(z.record(z.string(), goAny()).nullable()),
  string: plain(goString()),
  '[]Device': codec(DeviceList, encodeDeviceList, decodeDeviceList),
  NetworkNamespace: codec(NetworkNamespace, encodeNetwork, decodeNetwork),
};

export function isPayloadType(t: unknown): t is PayloadType {
  return typeof t === 'string' && Object.hasOwn(codecs, t);
}

function codecFor(type: PayloadType): Codec {
  if (!isPayloadType(type)) throw errPayload(`unknown payload type ${JSON.stringify(type)}`);
  return codecs[type];
}

/**
 * Validate (zod) and encode exactly as Go wrote the file. Throws StoreError
 * EPAYLOAD (the type, then each zod issue; the issues also in `cause`) or
 * EMARSHAL (what Go's json.Marshal refused). Never writes anything.
 */
export function encodePayload(type: PayloadType, value: unknown): string {
  const codec = codecFor(type);
  return codec.encode(type, boundValue(value, type));
}

/** Decode legacy file text as Go's json.Unmarshal into that type would (fetch). Throws EDECODE / EUNKNOWNDEVICE. */
export function decodePayload(type: PayloadType, text: string): unknown {
  return decodeJson(type, readJson(text));
}

/** The first half of json.Unmarshal: the whole document is read, and a syntax error raised, before the target is looked at. */
export const readJson = (text: string): unknown => parseJson(text, { numbers: 'literal' });

/** The second half: a document already read, decoded into the type. */
export function decodeJson(type: PayloadType, json: unknown): unknown {
  return codecFor(type).decode(json);
}
