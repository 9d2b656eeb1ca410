import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI from its TypeScript sources: `spawn(process.execPath, [...CLI, 'apply', …])`. */
export const CLI_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/vcstore.ts');
export const CLI = ['--import', import.meta.resolve('tsx'), CLI_SOURCE];
