/**
 * devices.json: a []Device written as []TypedDevice. `Type` is each device's
 * DeviceType field (not its Go type); reading dispatches on `Type` alone.
 */
import { z } from 'zod';
import { errUnknownDevice } from '../errors.ts';
import { decodeGo } from './go-decode.ts';
import { type TypedEntry, decodeRaw, encodeTyped, typedEntry } from './typed-list.ts';
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
};

export type DeviceTypeName = keyof typeof deviceSchemas;
export type DeviceEntry = TypedEntry<DeviceTypeName>;

/** API value: null or [{ type, value }]. */
export const DeviceList = z
  .array(
    z.discriminatedUnion('type', [
      typedEntry('VFIODevice', VFIODevice),
      typedEntry('BlockDevice', BlockDevice),
      typedEntry('GenericDevice', GenericDevice),
      typedEntry('VhostUserNetDevice', VhostUserNetDevice),
      typedEntry('VhostUserSCSIDevice', VhostUserSCSIDevice),
      typedEntry('VhostUserBlkDevice', VhostUserBlkDevice),
    ]),
  )
  .nullable();

// only these can be read back; the vhost-user types fail the whole fetch
const readable = new Map<string, DeviceTypeName>([
  ['vfio', 'VFIODevice'],
  ['block', 'BlockDevice'],
  ['generic', 'GenericDevice'],
]);

const TypedDeviceList = z.array(TypedDevice).nullable();

/** A nil and an empty list are both `null`. */
export function encodeDeviceList(list: DeviceEntry[] | null): string {
  if (!list || list.length === 0) return 'null';
  return `[${list.map((d) => encodeTyped(d.value.DeviceType, deviceSchemas[d.type], d.value)).join(',')}]`;
}

export function decodeDeviceList(json: unknown): DeviceEntry[] | null {
  const typed = decodeGo(TypedDeviceList, json);
  if (!typed || typed.length === 0) return null;
  return typed.map(({ Type, Data }) => {
    const type = readable.get(Type);
    if (type === undefined) throw errUnknownDevice();
    return { type, value: decodeRaw(deviceSchemas[type], Data) };
  });
}
