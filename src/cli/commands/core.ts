// Every `paperfeed` subcommand derived from a chat command definition (a `cli` block), in registry order.
import { COMMANDS } from '../../commands/registry.ts';
import type { CommandDefinition } from '../../commands/definition.ts';
import { cliWords, registerDefinitions } from '../derived.ts';

const definitions = COMMANDS as unknown as readonly CommandDefinition[];

/** The words registered: src/cli/registrars.ts needs no list of them. */
export const commands = cliWords(definitions);

export const register = registerDefinitions(definitions);
