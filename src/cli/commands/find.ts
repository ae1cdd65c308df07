// `similar` and `search` alone: a cold query loads only their chat definitions, not every command's
// (src/cli/registrars.ts). The same definitions are registered with all the others by ./core.ts.
import type { CommandDefinition } from '../../commands/definition.ts';
import { searchCommand, similarCommand } from '../../commands/find.ts';
import { registerDefinitions } from '../derived.ts';

export const register = registerDefinitions([similarCommand, searchCommand] as unknown as CommandDefinition[]);
