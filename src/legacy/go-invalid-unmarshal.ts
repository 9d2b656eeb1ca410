/**
 * json.InvalidUnmarshalError's texts. The fetch API names its target as the
 * legacy fixtures do: `<nil>` for a nil interface, `non-pointer T` for a
 * value, `nil *T` for a nil pointer. Go prints the type with its package, and
 * the legacy types lived in package virtcontainers.
 */

const LEGACY_TYPE = /\b([A-Z]\w*)/g;

/** A type as Go's reflect names it: `QemuState` is `virtcontainers.QemuState`, `interface{}` is `interface {}`. */
export function goTypeString(name: string): string {
  return name.replaceAll('interface{}', 'interface {}').replace(LEGACY_TYPE, 'virtcontainers.$1');
}

/** What json.Unmarshal says for a target that is not a non-nil pointer; undefined for any other target. */
export function invalidUnmarshalText(target: string): string | undefined {
  if (target === '<nil>' || target === 'non-pointer <nil>') return 'json: Unmarshal(nil)';
  const nonPointer = /^non-pointer (.+)$/.exec(target)?.[1];
  if (nonPointer !== undefined) return `json: Unmarshal(non-pointer ${goTypeString(nonPointer)})`;
  const nilPointer = /^nil \*(.+)$/.exec(target)?.[1];
  if (nilPointer !== undefined) return `json: Unmarshal(nil *${goTypeString(nilPointer)})`;
  return undefined;
}
