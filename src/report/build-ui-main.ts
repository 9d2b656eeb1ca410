// `npm run build` runs this (compiled, from dist/report/) to put the report page's bundle in dist/ui/.
import { packageRoot, writeUi } from './build-ui.ts';

const root = packageRoot();
if (root === undefined) throw new Error('cannot find the vcstore package folder');
await writeUi(root);
