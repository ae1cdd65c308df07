/**
 * Autocomplete (interaction type 4): the user's own topics (or the channel's) for `topics remove`,
 * and IANA time zones for `digest timezone`. Discord allows 25 choices, names and values of at most
 * 100 characters; a longer topic is offered by its number, which `remove` accepts.
 */
import type { APIApplicationCommandOptionChoice } from 'discord.js';
import { listTopics, type Recipient } from '../../src/recommend/index.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';

export const MAX_CHOICES = 25;
const CHOICE_MAX = 100;

type Choice = APIApplicationCommandOptionChoice<string>;

/** A choice's label may be shortened (the value carries the exact reference); the ellipsis shows it. */
const label = (s: string): string => (s.length <= CHOICE_MAX ? s : `${s.slice(0, CHOICE_MAX - 1)}…`);

export async function topicChoices(app: CommandDeps, recipient: Recipient, typed: string): Promise<Choice[]> {
  const q = typed.trim().toLowerCase();
  const topics = await listTopics(app, recipient);
  return topics
    .filter((t) => !q || t.text.toLowerCase().includes(q) || String(t.position) === q)
    .slice(0, MAX_CHOICES)
    .map((t) => ({ name: label(`${t.position}. ${t.text}`), value: t.text.length <= CHOICE_MAX ? t.text : String(t.position) }));
}

let zones: string[] | undefined;
function allZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones;
}

/** Zones whose name contains what was typed ("berlin", "new york"), city-name matches first. */
export function zoneChoices(typed: string): Choice[] {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '_');
  const all = allZones();
  if (!q) return all.slice(0, MAX_CHOICES).map((z) => ({ name: z, value: z }));
  const city = (z: string) => (z.split('/').at(-1) ?? z).toLowerCase();
  const hits = all.filter((z) => z.toLowerCase().includes(q));
  hits.sort((a, b) => Number(!city(a).startsWith(q)) - Number(!city(b).startsWith(q)));
  return hits.slice(0, MAX_CHOICES).map((z) => ({ name: z, value: z }));
}
