#!/usr/bin/env node
// The command's entry point; main.ts is kept importable without the shebang.
import './main.ts';
