/**
 * Reading the legacy Go fixtures for the payload tests: the op lines with
 * their raw member bytes, the file tree each op leaves behind, and the
 * fixture-form values turned into vcstore API values.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { parseJson } from '../../src/legacy/json-parse.ts';
import type { PayloadType } from '../../src/legacy/payloads.ts';
import { typedData } from '../../src/cli/ops.ts';
import { opLines, rawMember } from '../helpers/raw-json.ts';

const ROOT = new URL('../../fixtures/legacy-go/', import.meta.url);

export interface FixtureOp {
  scenario: string;
  line: string;
  op: Record<string, any>;
  /** the tree (path -> content) after this op */
  tree: Map<string, string>;
}

export function loadOps(): FixtureOp[] {
  const ops: FixtureOp[] = [];
  for (const scenario of readdirSync(ROOT)
    .filter((d) => /^\d\d-/.test(d))
    .sort()) {
    const tree = new Map<string, string>();
    for (const line of opLines(readFileSync(new URL(`${scenario}/ops.json`, ROOT), 'utf8'))) {
      const op = JSON.parse(line);
      applyEffects(tree, op.effects ?? []);
      ops.push({ scenario, line, op, tree: new Map(tree) });
    }
  }
  return ops;
}

function applyEffects(tree: Map<string, string>, effects: Array<Record<string, string>>): void {
  for (const e of effects) {
    if (e.change === 'removed') {
      for (const p of [...tree.keys()]) if (p === e.path || p.startsWith(`${e.path}/`)) tree.delete(p);
    } else if (e.kind === 'file') {
      tree.set(e.path!, e.content!);
    }
  }
}

const STORED: Record<string, PayloadType> = {
  'virtcontainers.SandboxConfig': 'SandboxConfig',
  'virtcontainers.ContainerConfig': 'ContainerConfig',
  'virtcontainers.State': 'State',
  'virtcontainers.Process': 'Process',
  'virtcontainers.QemuState': 'QemuState',
  'virtcontainers.KataAgentState': 'KataAgentState',
  'virtcontainers.HyperAgentState': 'HyperAgentState',
  'virtcontainers.NetworkNamespace': 'NetworkNamespace',
  '[]virtcontainers.Mount': '[]Mount',
  '[]virtcontainers.Device': '[]Device',
};

/** The payload type a store op's value has, or undefined for ops that are not payload stores. */
export function storedType(op: Record<string, any>): PayloadType | undefined {
  if (!String(op.method).startsWith('store')) return undefined;
  const anyValue = op.method === 'storeHypervisorState' || op.method === 'storeAgentState';
  if (anyValue && (op.goType === '<nil>' || op.goType === 'string')) return 'interface{}';
  return STORED[op.goType];
}

const TARGETS: Record<string, PayloadType> = {
  '*virtcontainers.QemuState': 'QemuState',
  '*virtcontainers.KataAgentState': 'KataAgentState',
  '*virtcontainers.HyperAgentState': 'HyperAgentState',
  '*interface {}': 'interface{}',
  '*map[string]interface {}': 'map[string]interface{}',
  '*string': 'string',
};

const FETCHES: Record<string, [type: PayloadType | 'target', root: 'var' | 'run', file: string, container: boolean]> = {
  fetchSandboxConfig: ['SandboxConfig', 'var', 'config.json', false],
  fetchSandboxState: ['State', 'run', 'state.json', false],
  fetchSandboxNetwork: ['NetworkNamespace', 'run', 'network.json', false],
  fetchHypervisorState: ['target', 'run', 'hypervisor.json', false],
  fetchAgentState: ['target', 'run', 'agent.json', false],
  fetchContainerConfig: ['ContainerConfig', 'var', 'config.json', true],
  fetchContainerState: ['State', 'run', 'state.json', true],
  fetchContainerProcess: ['Process', 'run', 'process.json', true],
  fetchContainerMounts: ['[]Mount', 'run', 'mounts.json', true],
  fetchContainerDevices: ['[]Device', 'run', 'devices.json', true],
};

/** The payload type and tree path a fetch op read, or undefined when it reads no payload. */
export function fetchedFile(op: Record<string, any>): { type: PayloadType; path: string } | undefined {
  const spec = FETCHES[op.method];
  if (!spec || !op.sandboxID || (spec[3] && !op.containerID)) return undefined;
  const [kind, root, file, container] = spec;
  const type = kind === 'target' ? TARGETS[op.goType] : kind;
  if (!type) return undefined;
  const base = root === 'var' ? 'var/lib/virtcontainers/sandboxes' : 'run/virtcontainers/sandboxes';
  return { type, path: posix.join(base, op.sandboxID, container ? op.containerID : '', file) };
}

/** A fixture `data` (Go's marshal output) as the API value vcstore is given: the CLI's own conversion. */
export function apiValue(_type: PayloadType, rawData: string, op: Record<string, any>): unknown {
  return typedData({ ...op, method: op.method, data: parseJson(rawData) }).value;
}

/** The raw `data` or `result` member of an op line. */
export const raw = (line: string, member: 'data' | 'result') => rawMember(line, member);
