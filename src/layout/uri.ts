import path from 'node:path';
import { errInvalidResource, errNeedContainerID, errNeedSandboxID } from '../errors.ts';
import { checkId } from './ids.ts';
import { fileName, needsContainerID, rootOf, toResource, type Resource, type Scope } from './resources.ts';
import type { Roots } from './roots.ts';

/** Where a resource lives: its file and the folder that holds it. */
export interface Location {
  resource: Resource;
  path: string;
  dir: string;
}

/**
 * The legacy resourceURI: the same checks in the same order, then the file
 * under `<root>/<sandbox>[/<container>]`. Unlike the legacy code, IDs must be
 * safe path components before they are joined.
 */
export function resourceURI(
  roots: Roots,
  scope: Scope,
  sandboxID: string,
  containerID: string,
  resourceArg: unknown,
): Location {
  if (sandboxID === '') throw errNeedSandboxID();
  const resource = toResource(resourceArg);
  const needsContainer = resource === undefined ? scope === 'container' : needsContainerID(scope, resource);
  if (needsContainer && containerID === '') throw errNeedContainerID();
  if (resource === undefined) throw errInvalidResource();
  checkId('sandbox', sandboxID);
  if (containerID !== '') checkId('container', containerID);
  const dir = path.join(roots[rootOf(resource)], sandboxID, containerID);
  return { resource, path: path.join(dir, fileName(resource)), dir };
}

export function containerURI(roots: Roots, sandboxID: string, containerID: string, resource: unknown): Location {
  if (sandboxID === '') throw errNeedSandboxID();
  if (containerID === '') throw errNeedContainerID();
  return resourceURI(roots, 'container', sandboxID, containerID, resource);
}

export function sandboxURI(roots: Roots, sandboxID: string, resource: unknown): Location {
  return resourceURI(roots, 'sandbox', sandboxID, '', resource);
}
