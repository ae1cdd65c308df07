// Where the command is in a paperfeed command line, found without loading the CLI: the launcher
// (bin/huge-pages.js) and src/cli/registrars.ts decide with it what to start and what to load.

/** The global options of src/cli/main.ts that take a value (test/cli-registrars.test.ts checks them against --help). */
export const GLOBAL_OPTIONS_WITH_VALUE = ['--data-dir', '--log-level'];

/**
 * The command word of a command line (the arguments after the script): the first argument that is
 * not a global option or its value; undefined when an option comes first (--help, --version, a typo).
 */
export function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (GLOBAL_OPTIONS_WITH_VALUE.includes(arg)) i++;
    else if (!GLOBAL_OPTIONS_WITH_VALUE.some((o) => arg.startsWith(`${o}=`))) return arg.startsWith('-') ? undefined : arg;
  }
  return undefined;
}
