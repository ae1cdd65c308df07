#!/usr/bin/env node
// postinstall: rebuilds hnswlib-node for this machine's CPU. hnswlib chooses its SIMD distance
// kernels when it is compiled, and node-gyp's portable flags give x86-64 only SSE; with
// -march=native it uses AVX2/AVX-512 where the CPU has them, which made index builds about 1.6x
// faster on the bench machine (bench/index.bench.ts). PAPERFEED_PORTABLE_NATIVE=1 keeps the
// portable build, for an image built on one CPU and run on another.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

const say = (msg) => console.log(`paperfeed: ${msg}`);
if (process.env.PAPERFEED_PORTABLE_NATIVE === '1' || process.arch !== 'x64') {
  say('keeping the portable hnswlib-node build');
  process.exit(0);
}

let pkgDir;
try {
  pkgDir = dirname(createRequire(import.meta.url).resolve('hnswlib-node/package.json'));
} catch {
  process.exit(0); // not installed (e.g. `npm install --omit=...`): nothing to tune
}
const marker = join(pkgDir, 'build', 'paperfeed-native.json');
const cpu = cpus()[0]?.model ?? 'unknown';
if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).cpu === cpu) process.exit(0);

// npm runs this script with npm_execpath set; use the same npm for the rebuild.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const rebuild = (env) =>
  spawnSync(npm[0], [...npm.slice(1), 'rebuild', 'hnswlib-node'], { env, stdio: 'inherit' }).status === 0;

say(`rebuilding hnswlib-node for this CPU (${cpu})`);
if (rebuild({ ...process.env, CXXFLAGS: `${process.env.CXXFLAGS ?? ''} -march=native`.trim() })) {
  writeFileSync(marker, JSON.stringify({ cpu, flags: '-march=native' }));
} else {
  say('the CPU-specific build failed; rebuilding the portable one');
  if (!rebuild(process.env)) process.exit(1);
}
