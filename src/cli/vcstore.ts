#!/usr/bin/env node
// The command's entry point; main.ts is kept importable without the shebang.
import { run } from './main.ts';

await run(process.argv.slice(2));
