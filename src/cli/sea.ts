// The single executable's entry point (a CommonJS bundle: no top-level await).
import { run } from './main.ts';

void run(process.argv.slice(2));
