// `npm run build` runs this (compiled, from dist/report/) to put the report page's bundle in dist/ui/.
import { errNoEntry } from '../errors.ts';
import { packageRoot, writeUi } from './build-ui.ts';

const root = packageRoot();
if (root === undefined) throw errNoEntry('cannot find the vcstore package folder (its package.json)');
await writeUi(root);
