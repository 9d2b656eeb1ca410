/**
 * devices.json: a []Device written as []TypedDevice. `Type` is each device's
 * DeviceType field (not its Go type); reading dispatches on `Type` alone.
 */
import { z } from 'zod';
import { errUnknownDevice } from '../errors.ts';
import { decodeGo } from './go-decode.ts';
import { type TypedEntry, decodeRaw, encodeTyped } from './typed-list.ts';
import {
  BlockDevice,
  GenericDevice,
  TypedDevice,
  VFIODevice,
  VhostUserBlkDevice,
  VhostUserNetDevice,
  VhostUserSCSIDevice,
} from './types/devices.ts';

/** The Go concrete types a device list can hold, by API name. */
export const deviceSchemas = {
  VFIODevice,
  BlockDevice,
  GenericDevice,
  VhostUserNetDevice,
  VhostUserSCSIDevice,
  VhostUserBlkDevice,
} as const;

export type DeviceTypeName = keyof typeof deviceSchemas;
export type DeviceEntry = TypedEntry<DeviceTypeName>;

const names = Object.keys(deviceSchemas) as DeviceTypeName[];
const entry = (type: DeviceTypeName) => z.object({ type: z.literal(type), value: deviceSchemas[type] });

/** API value: null or [{ type, value }]. */
export const DeviceList = z
  .array(z.discriminatedUnion('type', names.map(entry) as [ReturnType<typeof entry>]))
  .nullable();

// only these can be read back; the vhost-user types fail the whole fetch
const readable: Record<string, DeviceTypeName> = { vfio: 'VFIODevice', block: 'BlockDevice', generic: 'GenericDevice' };

const TypedDeviceList = z.array(TypedDevice).nullable();

/** A nil and an empty list are both `null`. */
export function encodeDeviceList(list: DeviceEntry[] | null): string {
  if (!list || list.length === 0) return 'null';
  return `[${list.map((d) => encodeTyped(d.value.DeviceType, deviceSchemas[d.type], d.value)).join(',')}]`;
}

export function decodeDeviceList(json: unknown): DeviceEntry[] | null {
  const typed = decodeGo(TypedDeviceList, json) as Array<{ Type: string; Data: unknown }> | null;
  if (!typed || typed.length === 0) return null;
  return typed.map(({ Type, Data }) => {
    const type = Object.hasOwn(readable, Type) ? readable[Type] : undefined;
    if (!type) throw errUnknownDevice();
    return { type, value: decodeRaw(deviceSchemas[type], Data) };
  });
}
