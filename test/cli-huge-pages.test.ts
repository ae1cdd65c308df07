/**
 * `similar` and `search` run in a child process whose glibc malloc uses transparent huge pages
 * (bin/huge-pages.js): which command lines are relaunched, with what environment, and that the
 * relaunched command behaves as the command run in place (output, exit status).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hugePagesEnv } from '../bin/huge-pages.js';

const BIN = fileURLToPath(new URL('../bin/paperfeed.js', import.meta.url));
const env = { PATH: '/usr/bin' };

describe('which command lines run with huge pages', () => {
  it('relaunches similar and search on Linux only, keeps other tunables, and leaves a chosen hugetlb alone', () => {
    expect(hugePagesEnv(['similar', 'x'], env, 'linux')).toEqual({ ...env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(hugePagesEnv(['search', 'x'], { ...env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux')).toEqual({
      ...env,
      GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    });
    expect(hugePagesEnv(['similar', 'x'], { ...env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux')).toBeUndefined();
    expect(hugePagesEnv(['similar', 'x'], env, 'darwin')).toBeUndefined();
    for (const other of [['serve'], ['ingest', 'data'], ['chat'], ['--help'], []]) expect(hugePagesEnv(other, env, 'linux')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('a relaunched command', () => {
  it('runs in a child with the tunable set, and its exit status is the command’s', async () => {
    // Every process of the run prints its GLIBC_TUNABLES: the parent has none, the child has the tunable.
    const probe = `data:text/javascript,process.stderr.write("tunables=" + process.env.GLIBC_TUNABLES + "\\n")`;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', probe, BIN, 'similar'], { env: { ...env, PAPERFEED_OFFLINE: 'true' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).toContain('tunables=undefined');
    expect(r.stderr).toContain('tunables=glibc.malloc.hugetlb=1');
    expect(r.stderr).toContain("missing required argument 'query'");
    expect(r.code).toBe(2);
  });
});
