/**
 * A command definition's `cli` block becomes a `paperfeed` subcommand (src/cli/derived.ts): its own
 * options are checked by their zod schemas as commander reads them (a usage error naming the value),
 * the built command by the definition's schema, and `run` gets both, typed; the output goes through
 * `write`, --json or `print`. A probe definition, registered on its own, shows each step.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CliContext } from '../src/cli/context.ts';
import { registerDefinitions } from '../src/cli/derived.ts';
import { cliOptions, wordsOf, wholeNumberText, isoDateText, type CliForms } from '../src/commands/cli-form.ts';
import { scopeSchema, textArg } from '../src/commands/command.ts';
import { defineCommand, type CommandDefinition } from '../src/commands/definition.ts';
import { UserError } from '../src/errors.ts';
import type { App } from '../src/service/app.ts';

const schema = z.object({ name: z.literal('probe'), scope: scopeSchema.optional(), text: textArg('the text', 20) });
const OPTS = cliOptions({
  k: { flags: '-k, --k <n>', description: 'how many', value: wholeNumberText(1, 5), default: 3 },
  since: { flags: '--since <date>', description: 'from this day', value: isoDateText },
  out: { flags: '-o, --out <file>', description: 'write here', value: z.string() },
  loud: { flags: '--loud', description: 'a flag' },
});
type Extra = z.output<typeof OPTS.extra>;
type Result = { text: string; scope?: string; user: string; extra: Extra };

/** What the probe's run was last given. */
let seen: Result | undefined;

const cli: CliForms<z.input<typeof schema>, z.output<typeof schema>, Result, Extra> = {
  forms: [{ name: 'probe', description: 'a probe', arguments: [{ name: '<text...>', description: 'words' }], options: OPTS.options, build: (i, scope) => ({ name: 'probe', scope, text: wordsOf(i) }) }],
  extra: OPTS.extra,
  run: async (_app, ctx, cmd, extra) => (seen = { text: cmd.text, scope: cmd.scope, user: ctx.userId, extra }),
  print: (r) => `${r.text} k=${r.extra.k}`,
  json: (r) => ({ text: r.text, k: r.extra.k }),
  async write(r, extra, out) {
    if (!extra.out) return false;
    await out.write(`${r.text}\n`, extra.out);
    return true;
  },
};

const probe = defineCommand({
  name: 'probe',
  schema,
  usage: { section: 'Help', forms: ['probe <text>'], summary: 'a probe' },
  run: () => ({ kind: 'ok', text: 'unused', visibility: 'private', cards: [] }),
  cli,
}) as unknown as CommandDefinition;

async function run(...args: string[]): Promise<{ out: unknown[]; error?: unknown; seen?: Result }> {
  const out: unknown[] = [];
  seen = undefined;
  const program = new Command('paperfeed').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const ctx: CliContext = {
    // The probe's run reads nothing of the app.
    withApp: (fn) => fn({} as App),
    print: (t) => out.push(t),
    printJson: (v) => out.push(v),
  };
  registerDefinitions([probe])(program, ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, seen };
  } catch (error) {
    return { out, error, seen };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-derived-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a definition with a cli block', () => {
  it('hands run the command and the CLI options, typed, with defaults; prints or prints JSON', async () => {
    const r = await run('probe', 'graph', 'nets', '--since', '2024-01-31', '--loud', '--user', 'ann');
    expect(r.error).toBeUndefined();
    expect(r.seen).toEqual({ text: 'graph nets', scope: 'user', user: 'ann', extra: { k: 3, since: '2024-01-31', out: undefined, loud: true } });
    expect(r.out).toEqual(['graph nets k=3']);
    expect((await run('probe', 'x', '-k', '5', '--json')).out).toEqual([{ text: 'x', k: 5 }]);
    expect((await run('probe', 'x', '--channel', 'C1')).seen).toMatchObject({ scope: 'channel' });
  });

  it('refuses a bad option value as a usage error before anything runs', async () => {
    for (const args of [['-k', '9'], ['-k', 'many'], ['--since', '2024-02-30']]) {
      const r = await run('probe', 'x', ...args);
      expect(r.error).toBeInstanceOf(CommanderError);
      expect(r.seen).toBeUndefined();
    }
  });

  it("checks the built command with the definition's schema", async () => {
    const r = await run('probe', 'far', 'more', 'words', 'than', 'twenty', 'characters');
    expect(r.error).toBeInstanceOf(UserError);
    expect((r.error as Error).message).toBe('the text is longer than 20 characters');
    expect(r.seen).toBeUndefined();
  });

  it('lets write take over the output (a file) instead of printing', async () => {
    const file = join(dir, 'out.txt');
    const r = await run('probe', 'to', 'file', '-o', file);
    expect(r.error).toBeUndefined();
    expect(r.out).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('to file\n');
  });

  it("refuses an option whose key is not the name commander reads it under", () => {
    const bad = cliOptions({ dry_run: { flags: '--dry-run', description: 'x' } });
    const def = { ...probe, cli: { ...cli, forms: [{ ...cli.forms[0]!, options: bad.options }] } } as unknown as CommandDefinition;
    expect(() => registerDefinitions([def])(new Command('paperfeed'), {} as CliContext)).toThrow(/read as 'dryRun', not 'dry_run'/);
  });
});
