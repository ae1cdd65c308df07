/**
 * What a person at a terminal sees: only the answer on stdout, nothing on stderr unless something
 * is wrong (issue 14, item 7), and text from papers and users with its control characters shown,
 * never obeyed (item 4). The real executable on a real data directory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

// Any control character a terminal could act on: everything below space but \n and \t, DEL and C1.
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const papers = [
  {
    id: 'arXiv:2409.00001',
    title: 'Bell\u0007 and \u001b[31mred\u001b[0m title\u0000 with \u001b]8;;https://evil.example\u0007a hidden link\u001b]8;;\u0007',
    abstract: 'An abstract that clears the screen \u001b[2J\u001b[H and rings the bell\u0007 about graph neural networks, with a \u202Edesrever\u202C part.',
    authors: ['Ada \u001b[1mLovelace', '[x](https://evil.example)'],
    published: '2024-09-02',
  },
  {
    id: 'arXiv:2409.00002',
    title: 'Graph neural networks for molecules',
    abstract: 'We study graph neural networks on molecular graphs and report results on standard benchmarks.',
    authors: ['Alan Turing'],
    published: '2024-09-02',
  },
];

describe('CLI output on a terminal', () => {
  let dir: string;
  let dataDir: string;
  // As a person runs it: no log settings of their own.
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['--data-dir', dataDir, ...args], { env: { PAPERFEED_LOG_LEVEL: undefined, ...env } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-cli-output-'));
    dataDir = join(dir, 'store');
    await writeFile(join(dir, 'hostile.jsonl'), papers.map((p) => JSON.stringify(p)).join('\n'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('one-shot commands print the answer and nothing on stderr', async () => {
    const runs = [
      ['ingest', join(dir, 'hostile.jsonl')],
      ['list'],
      ['show', '2409.00002'],
      ['similar', 'graph neural networks', '-k', '2'],
      ['stats'],
      ['topics', 'add', 'molecular graphs', '--user', 'alice'],
      ['picks', '--user', 'alice', '-n', '2'],
    ];
    for (const args of runs) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout, args.join(' ')).not.toBe('');
    }
  }, 240_000);

  it('logs when asked: info as JSON lines, and readable lines with PAPERFEED_LOG_FORMAT=pretty', async () => {
    const json = await cli(['stats'], { PAPERFEED_LOG_LEVEL: 'info', PAPERFEED_LOG_FORMAT: 'json' });
    expect(json.code).toBe(0);
    const lines = json.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: 30 });
    const pretty = await cli(['stats'], { PAPERFEED_LOG_LEVEL: 'info', PAPERFEED_LOG_FORMAT: 'pretty' });
    expect(pretty.code).toBe(0);
    expect(pretty.stderr).toMatch(/INFO/);
    expect(() => JSON.parse(pretty.stderr.trim().split('\n')[0]!)).toThrow();
    const flag = await cli(['--log-level', 'info', 'stats'], { PAPERFEED_LOG_FORMAT: 'json' });
    expect(flag.stderr.trim().split('\n').length).toBeGreaterThan(0);
  }, 120_000);

  it('stores and prints titles and abstracts without their control characters (list, show, similar)', async () => {
    for (const args of [['list'], ['show', '2409.00001'], ['similar', 'graph neural networks', '-k', '2'], ['show', '2409.00001', '--json']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(RAW_CONTROL);
      expect(r.stdout, args.join(' ')).toContain('Bell and red title with a hidden link');
    }
    const shown = await cli(['show', '2409.00001']);
    expect(shown.stdout).toContain('An abstract that clears the screen and rings the bell about graph neural networks, with a desrever part.');
    expect(shown.stdout).toContain('Ada Lovelace');
  }, 120_000);

  it("shows a user's control characters instead of obeying them (topics, profile, chat)", async () => {
    const hostile = 'clear \u001b[2J\u001b[H screen\u0007 and \u202Eflip';
    const added = await cli(['topics', 'add', hostile, '--user', 'mallory']);
    expect(added.code, added.stderr).toBe(0);
    for (const args of [['topics', 'list', '--user', 'mallory'], ['profile', '--user', 'mallory'], ['chat', '--user', 'mallory', 'topics list'], ['chat', '--user', 'mallory', 'profile']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(RAW_CONTROL);
      expect(r.stdout, args.join(' ')).toMatch(/clear (␛\[2J␛\[H )?screen/);
    }
    const json = await cli(['topics', 'list', '--user', 'mallory', '--json']);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
  }, 120_000);
});
