/**
 * Files attached to a `/papers` interaction (an attachment option): the command core's
 * attachments, fetched from their CDN url with the size Discord declares checked first.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import type { Attachment } from '../../src/commands/index.ts';
import { downloadBounded } from '../../src/library/download.ts';

export function discordAttachments(i: ChatInputCommandInteraction): Attachment[] {
  const files = [...(i.options.resolved?.attachments?.values() ?? [])];
  return files.map((f) => ({
    name: f.name,
    size: f.size,
    read: (maxBytes) => downloadBounded(f.url, { name: f.name, maxBytes, declaredSize: f.size }),
  }));
}
