// The recommendation CLI commands, in process (their own commander program around the commands
// derived from chat definitions and `categories`, on a real App over the ingested sample corpus)
// and as spawned processes.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { UserError } from '../src/errors.ts';
import { createLogger } from '../src/log.ts';
import type { CliContext } from '../src/cli/context.ts';
import { register as core } from '../src/cli/commands/core.ts';
import { register as topics } from '../src/cli/commands/topics.ts';
import type { Paper } from '../src/papers/paper.ts';
import { bibtexKey } from '../src/papers/reference-export.ts';
import { changeDigest } from '../src/digests/settings.ts';
import { listSubscriptions } from '../src/digests/subscriptions.ts';
import type { App } from '../src/service/app.ts';
import { openApp } from '../src/service/open-app.ts';
import { openSampleApp } from './helpers/sample-app.ts';

let dataDir: string;
let papers: Paper[];

const env = () => ({
  PAPERFEED_DATA_DIR: dataDir,
  PAPERFEED_EMBEDDINGS: 'builtin',
  PAPERFEED_OFFLINE: 'true',
  PAPERFEED_LOG_LEVEL: 'silent',
});

beforeAll(async () => {
  const app = await openSampleApp();
  dataDir = app.dataDir;
  papers = await app.store.listPapers();
  await app.close(); // keep the data dir for the commands below
}, 120_000);
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Opens the App on the test's data dir for fn, as the CLI does. */
async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(loadConfig({}, env() as never), { log: createLogger('silent') });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Runs one command line through the recommendation commands; returns stdout and any error. */
async function cli(...args: string[]): Promise<{ out: string; error?: unknown }> {
  const out: string[] = [];
  const program = new Command('paperfeed').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const ctx: CliContext = {
    withApp,
    print: (t) => out.push(t),
    printJson: (v) => out.push(JSON.stringify(v, null, 2)),
  };
  for (const register of [core, topics]) register(program, ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out: out.join('\n') };
  } catch (error) {
    return { out: out.join('\n'), error };
  }
}

const json = async (...args: string[]) => {
  const r = await cli(...args, '--json');
  expect(r.error).toBeUndefined();
  return JSON.parse(r.out);
};

describe('recommendation commands (in process)', () => {
  it('topics add, list, weight and remove', async () => {
    expect((await cli('topics', 'add', 'diffusion', 'models', 'for', 'inverse', 'problems', '--user', 'ann')).out).toBe(
      'Added topic 1: diffusion models for inverse problems',
    );
    await cli('topics', 'add', 'language model reasoning', '--weight', '2', '--user', 'ann');
    expect((await cli('topics', 'list', '--user', 'ann')).out).toBe(' 1. diffusion models for inverse problems\n 2. language model reasoning  (weight 2)');
    expect((await json('topics', 'weight', '2', '1.5', '--user', 'ann')).weight).toBe(1.5);
    expect((await cli('topics', 'remove', '2', '--user', 'ann')).out).toBe('Removed topic: language model reasoning');
    const bad = await cli('topics', 'weight', '1', '99', '--user', 'ann');
    expect(bad.error).toBeInstanceOf(CommanderError);
    const missing = await cli('topics', 'remove', 'nothing like this', '--user', 'ann');
    expect(missing.error).toBeInstanceOf(UserError);
    // A channel's topics, not the user's: the CLI runs the chat command's operation for the channel.
    expect((await cli('topics', 'add', 'robot', 'learning', '--channel', 'C9')).out).toBe('Added topic 1: robot learning');
    expect(await json('topics', 'list', '--channel', 'C9')).toMatchObject([{ position: 1, text: 'robot learning', weight: 1 }]);
    expect((await json('topics', 'list', '--user', 'ann')).map((t: { text: string }) => t.text)).toEqual(['diffusion models for inverse problems']);
    expect((await cli('keywords', 'list', '--channel', 'C9')).out).toBe('No keywords yet.');
  });

  it('picks: reasons, recorded by default, --dry-run, never twice', async () => {
    await cli('topics', 'add', 'diffusion models', '--user', 'bea');
    const date = papers[0]!.firstSeen.slice(0, 10);
    const dry = await json('picks', '--user', 'bea', '--date', date, '-n', '3', '--dry-run');
    expect(dry.recorded).toBe(false);
    expect(dry.picks).toHaveLength(3);
    expect(dry.picks[0].reasons[0].text).toMatch(/^matches your topic 'diffusion models' \(0\.\d\d\)$/);
    const first = await json('picks', '--user', 'bea', '--date', date, '-n', '3');
    expect(first.picks.map((p: { paper: Paper }) => p.paper.id)).toEqual(dry.picks.map((p: { paper: Paper }) => p.paper.id));
    const second = await json('picks', '--user', 'bea', '--date', date, '-n', '3');
    const firstIds = new Set(first.picks.map((p: { paper: Paper }) => p.paper.id));
    for (const p of second.picks) expect(firstIds.has(p.paper.id)).toBe(false);

    const text = (await cli('picks', '--user', 'bea', '--date', date, '-n', '2', '--dry-run')).out;
    expect(text).toMatch(/^Picks for user bea: \d of \d+ papers published or first seen on \d{4}-\d\d-\d\d \(not recorded\)/);
    expect(text).toMatch(/\n    why: matches your topic 'diffusion models' \(0\.\d\d\)/);
  });

  it('picks: a plain notice when there is nothing, and general picks for a channel', async () => {
    expect((await cli('picks', '--user', 'cy', '--date', '2001-01-01')).out).toBe(
      'No papers were published or first seen on 2001-01-01 (weekends and arXiv holidays have none).',
    );
    const channel = await json('picks', '--channel', 'C123', '-n', '2', '--dry-run');
    expect(channel.mode).toBe('general');
    expect(channel.recipient).toMatchObject({ kind: 'channel', id: 'C123', key: 'channel:C123' });
    const both = await cli('picks', '--user', 'a', '--channel', 'b');
    expect(both.error).toBeInstanceOf(CommanderError);
    expect((await cli('picks', '--date', '2024-02-30', '--user', 'a')).error).toBeInstanceOf(CommanderError);
  });

  it('keywords with a leading - or +, and feedback', async () => {
    expect((await cli('keywords', 'add', '-survey', '--user', 'dan')).out).toBe("Papers mentioning 'survey' are now excluded.");
    expect((await cli('keywords', 'add', '--user', 'dan', '+', 'diffusion')).out).toBe("Papers mentioning 'diffusion' are now required.");
    expect((await cli('keywords', 'list', '--user', 'dan')).out).toBe('-survey\n+diffusion');
    expect((await cli('keywords', 'add', 'x', '--usr', 'dan')).error).toBeInstanceOf(UserError);

    const paper = papers[5]!;
    expect((await cli('feedback', paper.id, 'up', '--user', 'dan')).out).toBe(`Recorded thumbs up for '${paper.title}' (${paper.id}).`);
    expect((await cli('feedback', paper.id, 'down', '--user', 'dan')).out).toBe(`Recorded thumbs down for '${paper.title}' (${paper.id}) (was up).`);
    expect((await cli('feedback', paper.id, 'meh', '--user', 'dan')).error).toBeInstanceOf(CommanderError);
    expect((await cli('feedback', '2401.99999', 'up', '--user', 'dan')).error).toBeInstanceOf(UserError);
    // A channel's reaction, through the chat command's operation.
    expect(await json('feedback', paper.id, 'not-for-me', '--channel', 'C7')).toMatchObject({ paperId: paper.id, kind: 'not-interested' });
    expect((await cli('mute', '--author', 'Someone', '--days', '3', '--user', 'dan')).out).toMatch(/^Muted author 'Someone' until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
    expect((await cli('mute', '--author', 'A', '--keyword', 'b', '--days', '3', '--user', 'dan')).error).toBeInstanceOf(UserError);
    expect((await cli('mute', '--author', 'A', '--user', 'dan')).error).toBeInstanceOf(CommanderError);
    expect((await cli('unmute', '--author', 'Someone', '--user', 'dan')).out).toBe("Unmuted author 'Someone'.");
    // A channel's mute, through the chat command's operation: the channel's profile, not the user's.
    expect(await json('mute', '--keyword', 'survey', '--days', '2', '--channel', 'C7')).toMatchObject({ kind: 'keyword', value: 'survey' });
    expect((await cli('unmute', '--keyword', 'survey', '--user', 'dan')).error).toBeInstanceOf(UserError);
    expect((await cli('unmute', '--keyword', 'survey', '--channel', 'C7')).out).toBe("Unmuted keyword 'survey'.");
  });

  it('seeds and followed authors, for a user or a channel', async () => {
    const p = papers[3]!;
    expect((await cli('seeds', 'add', p.id, '--user', 'fay')).out).toBe(`Added seed: ${p.title} (${p.id})`);
    expect((await cli('seeds', 'add', p.id, '--user', 'fay')).out).toBe(`Already a seed: ${p.title} (${p.id})`);
    expect(await json('seeds', 'add', p.id, '--channel', 'C8')).toMatchObject({ paperId: p.id, title: p.title, added: true });
    expect((await cli('seeds', 'remove', p.id, '--user', 'fay')).out).toBe(`Removed seed: ${p.title} (${p.id})`);
    expect((await cli('seeds', 'remove', p.id, '--user', 'fay')).error).toBeInstanceOf(UserError);
    expect(await json('seeds', 'remove', p.id, '--channel', 'C8')).toEqual({ paperId: p.id, title: p.title });
    // The sample pages name no authors: following one says no stored paper is by them.
    const author = 'Ada Lovelace';
    expect((await cli('authors', 'follow', 'Ada', 'Lovelace', '--user', 'fay')).out).toBe(
      `Following ${author}. No stored paper is by them yet; check the spelling (names match as written on the papers).`,
    );
    expect((await cli('authors', 'follow', author, '--user', 'fay')).out).toBe(`Already following ${author}.`);
    expect(await json('authors', 'follow', author, '--channel', 'C8')).toMatchObject({ author, added: true, stored: false });
    expect((await cli('authors', 'unfollow', author, '--user', 'fay')).out).toBe(`No longer following ${author}.`);
    expect((await cli('authors', 'unfollow', author, '--user', 'fay')).error).toBeInstanceOf(UserError);
    expect(await json('authors', 'unfollow', author, '--channel', 'C8')).toEqual({ author });
  });

  it('save, saved (listed, JSON, exported to a file), unsave and history', async () => {
    const [a, b] = [papers[7]!, papers[8]!];
    expect((await cli('save', a.id, '--user', 'eve')).out).toBe(`Saved '${a.title}' (${a.id}).`);
    expect((await cli('save', a.title, '--user', 'eve')).out).toBe(`'${a.title}' (${a.id}) was already saved.`);
    expect((await cli('save', b.id, '--user', 'eve')).error).toBeUndefined();
    expect((await cli('saved', '--user', 'eve')).out.split('\n')[0]).toBe('2 saved papers, newest first:');
    expect((await json('saved', '--user', 'eve')).map((x: { paperId: string }) => x.paperId).sort()).toEqual([a.id, b.id].sort());
    const file = `${dataDir}/saved.json`;
    expect((await cli('saved', '--user', 'eve', '--export', 'csl', '-o', file)).error).toBeUndefined();
    const { readFile } = await import('node:fs/promises');
    expect((JSON.parse(await readFile(file, 'utf8')) as { title: string }[]).map((x) => x.title).sort()).toEqual([a.title, b.title].sort());
    expect((await cli('saved', '--user', 'eve', '--export', 'ris')).error).toBeInstanceOf(CommanderError);
    expect((await cli('unsave', a.id, '--user', 'eve')).out).toBe(`Removed '${a.title}' (${a.id}) from the reading list.`);
    expect((await cli('unsave', a.id, '--user', 'eve')).error).toBeInstanceOf(UserError);
    expect((await cli('saved', '--user', 'nobody')).out).toBe('The reading list is empty.');
    // A channel's reading list, through the chat command's operation.
    expect(await json('save', a.id, '--channel', 'C6')).toEqual({ paperId: a.id, title: a.title, added: true });
    expect((await json('saved', '--channel', 'C6')).map((x: { paperId: string }) => x.paperId)).toEqual([a.id]);

    expect((await cli('history', '--user', 'eve')).out).toBe('Nothing delivered in the last 7 days.');
    const picked = await json('picks', '--user', 'eve', '-n', '2');
    const h = await json('history', '--user', 'eve', '--days', '2');
    expect(h[0].papers.map((p: { paperId: string }) => p.paperId).sort()).toEqual(picked.picks.map((p: { paper: Paper }) => p.paper.id).sort());
    expect((await cli('history', '--user', 'eve', '--days', '91')).error).toBeDefined();
    // A channel's deliveries, with the channel's own reactions.
    const sent = await json('picks', '--channel', 'C6', '-n', '1');
    await cli('feedback', sent.picks[0].paper.id, 'up', '--channel', 'C6');
    const ch = await json('history', '--channel', 'C6');
    expect(ch[0].papers).toMatchObject([{ paperId: sent.picks[0].paper.id, reaction: 'up' }]);
  });

  it('profile: summary, why, export, reset, forget', async () => {
    await cli('topics', 'add', 'graph neural networks', '--user', 'eve');
    await cli('keywords', 'add', '-survey', '--user', 'eve');
    await cli('picks', '--user', 'eve', '--date', papers[0]!.firstSeen.slice(0, 10));
    const summary = (await cli('profile', '--user', 'eve')).out;
    expect(summary).toContain('What drives the feed of user eve:');
    expect(summary).toContain("  - Topics: 'graph neural networks'. Each paper is scored by its closest topic.");
    expect(summary).toContain("  - Papers mentioning 'survey' are never picked.");

    const why = (await cli('why', papers[0]!.id, '--user', 'eve')).out;
    expect(why.split('\n')[0]).toBe(`${papers[0]!.title} (${papers[0]!.id})`);
    expect(why).toMatch(/Relevance -?\d\.\d\d \(threshold \d\.\d\d\)/);
    expect((await json('why', papers[0]!.id, '--channel', 'C5')).paper.id).toBe(papers[0]!.id);

    const exported = await json('profile', '--user', 'eve', '--export');
    expect(exported.format).toBe('paperfeed-profile');
    expect(exported.profile.topics[0].text).toBe('graph neural networks');
    expect((await cli('profile', '--user', 'eve', '--export', '--forget')).error).toBeInstanceOf(CommanderError);

    expect((await cli('profile', '--user', 'eve', '--reset')).out).toBe('The profile of user eve starts over.');
    expect((await json('profile', '--user', 'eve')).mode).toBe('general');
    // Issue 14: --forget used to leave the digest subscription enabled (and the user kept getting digests).
    await withApp((app) => changeDigest(app, { kind: 'user', platform: 'slack', id: 'eve' }, { op: 'on' }, { now: new Date() }));
    // The sent-log and the Slack subscription.
    expect((await cli('profile', '--user', 'eve', '--forget')).out).toBe('Deleted everything stored about user eve (2 records).');
    expect(await withApp((app) => listSubscriptions(app))).toEqual([]);
    expect((await cli('profile', '--user', 'eve', '--forget')).out).toBe('Nothing was stored about user eve.');
  });
});

describe('paperfeed binary', () => {
  const bin = new URL('../bin/paperfeed.js', import.meta.url).pathname;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { ...process.env, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_OFFLINE: 'true', PAPERFEED_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });

  it('runs picks, topics, feedback and profile with the documented exit codes', () => {
    expect(run('topics', 'add', 'model merging', '--user', 'zoe').status).toBe(0);
    const picked = run('picks', '--user', 'zoe', '--date', papers[0]!.firstSeen.slice(0, 10), '-n', '2', '--json');
    expect(picked.status).toBe(0);
    const result = JSON.parse(picked.stdout);
    expect(result.status).toBe('ok');
    expect(result.picks[0].reasons[0].text).toMatch(/^matches your topic 'model merging'/);
    expect(run('feedback', result.picks[0].paper.id, 'down', '--user', 'zoe').status).toBe(0);
    const unknown = run('feedback', '2401.99999', 'up', '--user', 'zoe');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("no stored paper matches '2401.99999'");
    expect(run('picks', '--user', 'a', '--channel', 'b').status).toBe(2);
    expect(run('profile', '--user', 'zoe', '--forget').status).toBe(0);
  }, 180_000);

  it('exports the reading list as BibTeX on stdout', () => {
    // The sample pages carry no arXiv ids: papers are named by their title-hash ids.
    expect(run('save', papers[0]!.id, '--user', 'yan').status).toBe(0);
    const out = run('saved', '--user', 'yan', '--export', 'bibtex');
    expect(out.status).toBe(0);
    expect(out.stdout.startsWith(`@misc{${bibtexKey(papers[0]!)},\n  title = {`)).toBe(true);
    expect(run('unsave', '2401.99999', '--user', 'yan').status).toBe(2);
  }, 120_000);
});
