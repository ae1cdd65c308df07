/**
 * Registers `/papers` through Discord's REST API: `PUT /applications/{app}/commands` (global; takes
 * up to an hour to reach every server) or `PUT /applications/{app}/guilds/{guild}/commands` (one
 * server, at once: for development). PUT replaces the application's whole command list there, so
 * the registered set is exactly this one command.
 */
import { REST, Routes } from 'discord.js';
import { z } from 'zod';
import { papersCommand } from './definition.ts';
import { reportDiscordError } from './discord-errors.ts';
import type { Logger } from '../../src/log.ts';

export interface RegisterOptions {
  token: string;
  applicationId: string;
  apiUrl?: string;
  /** Register in this server only. */
  guildId?: string;
  log: Logger;
}

export interface Registered {
  scope: 'global' | 'guild';
  route: string;
  commands: { id: string; name: string }[];
}

const answerSchema = z.array(z.object({ id: z.string(), name: z.string() }).loose());

export async function registerCommands(opts: RegisterOptions): Promise<Registered> {
  if (opts.guildId !== undefined && !/^\d{15,22}$/.test(opts.guildId)) throw new Error(`--guild expects a server id (digits), got '${opts.guildId.slice(0, 40)}'`);
  const rest = new REST({ ...(opts.apiUrl ? { api: opts.apiUrl } : {}) }).setToken(opts.token);
  const route = opts.guildId ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId) : Routes.applicationCommands(opts.applicationId);
  try {
    const answer = await rest.put(route, { body: [papersCommand({ forGuild: Boolean(opts.guildId) })] });
    const parsed = answerSchema.safeParse(answer);
    if (!parsed.success) throw new Error(`PUT ${route}: Discord's answer is not a command list (${parsed.error.issues[0]?.message ?? 'unreadable'})`);
    return { scope: opts.guildId ? 'guild' : 'global', route, commands: parsed.data.map((c) => ({ id: c.id, name: c.name })) };
  } catch (err) {
    const failure = reportDiscordError(opts.log, err, 'command registration', { route });
    throw new Error(`registering /papers failed: ${failure.code} ${failure.message}`, { cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
