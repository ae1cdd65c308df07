#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clean clone needs no build step.
import { fileURLToPath } from 'node:url';
import { hugePagesEnv, runChild } from './huge-pages.js';

const args = process.argv.slice(2);
const relaunch = hugePagesEnv(args, process.env);
if (relaunch) {
  process.exitCode = await runChild(fileURLToPath(import.meta.url), args, relaunch);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
