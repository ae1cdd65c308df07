/**
 * Help and usage text, rendered from the command definitions (registry.ts): help lists them under
 * their sections' headings (SECTIONS in definition.ts), in registry order. The `help` command
 * itself is definitions/help.ts. Each function reads the registry's catalog unless given another
 * (test/commands-discovery.test.ts renders a fixture folder's).
 */
import { SECTIONS, type Usage } from './definition.ts';
import { CATALOG, type Catalog } from './registry.ts';
import { usageReply, okReply } from './replies.ts';
import type { Reply } from './reply.ts';

export type { Usage };

/** What a usage reply shows: a command's, or the `channel ...` forms, which are no command's. */
type UsageText = Pick<Usage, 'forms' | 'summary'>;

const CHANNEL_SUMMARY = "the channel's own feed and digest (changes: channel admins only)";

/** `channel ...` forms: the families that also work on the channel's settings (changes need a channel admin). */
export function channelUsage(catalog: Catalog = CATALOG): UsageText {
  return { forms: catalog.commands.flatMap((d) => d.channelForms ?? []), summary: CHANNEL_SUMMARY };
}

/** The commands with `channel ...` forms. */
const channelFamilies = (catalog: Catalog): string[] => catalog.commands.filter((d) => d.channelForms).map((d) => d.name);

const code = (s: string): string => `\`${s}\``;

function usageOf(u: UsageText): string {
  return u.forms.map(code).join(', ');
}

/** The short usage reply for a malformed command: what went wrong and the right form. */
export function usageFor(name: string, problem?: string, catalog: Catalog = CATALOG): Reply {
  const u = name === 'channel' ? channelUsage(catalog) : (catalog.named(name) ?? catalog.named('help'))?.usage;
  const lead = problem ? `${problem}. ` : '';
  return usageReply(u ? `${lead}Usage: ${usageOf(u)}` : lead.trim());
}

/** Usage for text that names no command at all. */
export function unknownCommand(word: string, catalog: Catalog = CATALOG): Reply {
  const known = catalog.commands.map((d) => d.name).join(', ');
  return usageReply(`Unknown command ${code(word.slice(0, 40))}. Commands: ${known}, channel. Try ${code('help')}.`);
}

const line = (forms: readonly string[], summary: string): string => `${forms.map(code).join(' · ')} — ${summary}`;

/** `help` (everything) or `help <command>`. */
export function helpReply(topic?: string, catalog: Catalog = CATALOG): Reply {
  const t = topic?.trim().toLowerCase();
  if (t) {
    const u = t === 'channel' ? channelUsage(catalog) : catalog.named(t)?.usage;
    if (!u) return unknownCommand(t, catalog);
    return okReply(`${u.summary}\n${usageOf(u)}`, 'private');
  }
  const lines = ['**paperfeed commands**'];
  for (const section of SECTIONS) {
    const listed = catalog.commands.filter((d) => d.usage.section === section);
    if (listed.length) lines.push('', `**${section}**`, ...listed.map(({ usage: u }) => line(u.forms, u.summary)));
  }
  const families = channelFamilies(catalog);
  if (families.length) lines.push('', '**In a channel**', line([`channel ${families.join('|')} ...`], CHANNEL_SUMMARY));
  return okReply(lines.join('\n'), 'private');
}
