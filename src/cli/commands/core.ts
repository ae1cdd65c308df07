// Every `paperfeed` subcommand derived from a chat command definition (a `cli` block), in registry order.
import { COMMANDS } from '../../commands/registry.ts';
import { cliWords, registerDefinitions } from '../derived.ts';

/** The words registered: src/cli/registrars.ts needs no list of them. */
export const commands = cliWords(COMMANDS);

export const register = registerDefinitions(COMMANDS);
