/**
 * Profile edits from several processes at once (issue 14, item 2): real child processes add
 * distinct keywords to one user's profile concurrently, on each kv backend; the final profile must
 * hold every one of them. One contract suite over SQLite, PostgreSQL and Redis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileSummary } from '../src/recommend/index.ts';
import { startChild } from './helpers/child.ts';
import { kvOnlyApp } from './helpers/kv-app.ts';
import { announceSkip, kvBackends } from './helpers/servers.ts';

const CHILDREN = 3;
// 3 × 30 stays under the profile's limit of 100 keywords.
const KEYWORDS = 30;
const REDIS_DB = 14;

const dirs: string[] = [];
const { backends, dropDatabases } = kvBackends('profile_cas', REDIS_DB);
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropDatabases();
});

for (const b of backends) {
  describe.skipIf(!b.available)(`profile edits across processes on ${b.name}`, () => {
    it(`${CHILDREN} processes each adding ${KEYWORDS} keywords to one user: none is lost`, { timeout: 180_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `paperfeed-cas-${b.name}-`));
      dirs.push(dir);
      const url = await b.url();
      const go = join(dir, 'go');
      const children = Array.from({ length: CHILDREN }, (_, i) =>
        startChild('test/helpers/profile-child.ts', [], {
          KV_URL: url ?? '',
          DATA_DIR: dir,
          GO_FILE: go,
          USER_ID: 'U-shared',
          TAG: `proc${i}`,
          KEYWORDS: String(KEYWORDS),
          READ_DELAY_MS: '3',
        }),
      );
      try {
        await Promise.all(children.map((c) => c.waitFor(/ready/, 60_000)));
        writeFileSync(go, '');
        const codes = await Promise.all(children.map((c) => c.exited));
        expect(codes, children.map((c) => c.stderr()).join('\n')).toEqual(children.map(() => 0));
      } finally {
        await Promise.all(children.map((c) => c.kill9()));
      }

      const { app, close } = kvOnlyApp(url, dir);
      try {
        const summary = await profileSummary(app, { kind: 'user', platform: 'cli', id: 'U-shared' });
        const phrases = summary.profile.keywords.map((k) => k.phrase).sort();
        const expected = Array.from({ length: CHILDREN }, (_, c) => Array.from({ length: KEYWORDS }, (_, i) => `proc${c} ${i}`)).flat().sort();
        expect(phrases).toEqual(expected);
      } finally {
        await close();
      }
    });
  });
  if (!b.available) announceSkip(`profile edits across processes on ${b.name}`, b.variable);
}
