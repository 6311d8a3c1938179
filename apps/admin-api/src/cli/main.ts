#!/usr/bin/env node
import { processIo } from './io';
import { runCli } from './run';

// Entry of `npx twokey` (tools/bin/twokey.js runs the compiled file).
runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`twokey: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
