import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { loggerFor } from '../log.ts';
import { ProviderMismatchError } from '../corpus/index-files.ts';
import { openApp } from '../service/open-app.ts';
import { terminalJson, writeLine } from '../terminal-text.ts';
import type { CliContext } from './context.ts';
import { registrarsFor } from './registrars.ts';
import { runAsBatch } from './batch-priority.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Runs the CLI; returns the exit code (0 ok, 1 runtime failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('paperfeed')
    .description('Daily research-paper picks, similarity search and topic filters, fully local by default.')
    .addOption(new Option('--data-dir <dir>', 'where the store and index live').env('PAPERFEED_DATA_DIR'))
    .addOption(
      new Option('--log-level <level>', 'log level on stderr').choices([
        'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent',
      ]),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const ctx: CliContext = {
    async withApp(fn, withOpts = {}) {
      const opts = program.opts<{ dataDir?: string; logLevel?: string }>();
      const config = loadConfig(process.env, {
        ...(opts.dataDir ? { PAPERFEED_DATA_DIR: opts.dataDir } : {}),
        ...(opts.logLevel ? { PAPERFEED_LOG_LEVEL: opts.logLevel } : {}),
      });
      const log = loggerFor(config, withOpts.service ? 'service' : 'command');
      if (withOpts.batch) runAsBatch(config.PAPERFEED_BATCH_NICE, log);
      // A one-shot command searches the index in its files: loading every graph (2.5 GB, 9 s at 1M)
      // cost a `show` that never reads it as much as a `similar` that reads a few records of it.
      const indexAccess = withOpts.indexAccess ?? (withOpts.service || withOpts.forReindex ? 'load' : 'one-query');
      const app = await openApp(config, { log, forReindex: withOpts.forReindex, indexAccess });
      try {
        return await fn(app);
      } finally {
        await app.close();
      }
    },
    print: (text) => writeLine(process.stdout, text),
    printJson: (value) => process.stdout.write(`${terminalJson(value)}\n`),
  };
  for (const register of await registrarsFor(argv)) register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');

  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander but successes to the user.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (err instanceof UserError || err instanceof ConfigError || err instanceof ProviderMismatchError) {
    writeLine(process.stderr, `paperfeed: ${err.message}`);
    return EXIT.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  writeLine(process.stderr, `paperfeed: ${message}`);
  if (process.env.PAPERFEED_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT.failure;
}
