/**
 * Child-process entry for the service tests: `paperfeed` with the `serve` command, run through
 * bin/run-ts.js. It builds the CLI the way src/cli/main.ts does; once main.ts registers
 * src/cli/commands/serve.ts, tests can spawn bin/paperfeed.js instead (see SERVE_ARGV).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { UserError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { openApp } from '../../src/service/open-app.ts';
import { register } from '../../src/cli/commands/serve.ts';

const program = new Command('paperfeed').exitOverride();
register(program, {
  async withApp(fn) {
    const config = loadConfig(process.env);
    const app = await openApp(config, { log: createLogger(config.PAPERFEED_LOG_LEVEL) });
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  },
  print: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  printJson: (v) => process.stdout.write(`${JSON.stringify(v)}\n`),
});
for (const cmd of program.commands) cmd.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = 2;
  else {
    process.stderr.write(`paperfeed: ${(err as Error).message}\n`);
    process.exitCode = err instanceof UserError || err instanceof ConfigError ? 2 : 1;
  }
}
