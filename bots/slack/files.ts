/**
 * Files shared with a command (a DM with a file, a mention with one): the command core's
 * attachments, downloaded from `url_private` with the bot token. The token goes only to Slack
 * itself (files.slack.com, or the configured API host that tests and proxies use), never to a
 * URL some other host put in an event.
 */
import { z } from 'zod';
import type { Attachment } from '../../src/commands/index.ts';
import { downloadBounded } from '../../src/library/download.ts';

export interface SlackFileAccess {
  botToken: string;
  /** Web API base URL (SlackBotOptions.apiUrl); files on its host get the token too. */
  apiUrl?: string;
}

const fileSchema = z.object({
  name: z.string().min(1).max(500).optional(),
  title: z.string().max(500).optional(),
  size: z.number().int().nonnegative().optional(),
  url_private_download: z.url().optional(),
  url_private: z.url().optional(),
});
const filesSchema = z.array(z.unknown()).max(20);

function mayHaveToken(url: string, access: SlackFileAccess): boolean {
  const u = new URL(url);
  if (access.apiUrl && u.origin === new URL(access.apiUrl).origin) return true;
  return u.protocol === 'https:' && (u.hostname === 'files.slack.com' || u.hostname.endsWith('.slack.com'));
}

/** The event's `files` as attachments; files without a download URL (or malformed) are left out. */
export function slackAttachments(files: unknown, access: SlackFileAccess): Attachment[] {
  const list = filesSchema.safeParse(files);
  if (!list.success) return [];
  return list.data.flatMap((raw): Attachment[] => {
    const f = fileSchema.safeParse(raw);
    const url = f.success ? (f.data.url_private_download ?? f.data.url_private) : undefined;
    if (!f.success || !url) return [];
    const name = f.data.name ?? f.data.title ?? 'the shared file';
    return [
      {
        name,
        ...(f.data.size !== undefined ? { size: f.data.size } : {}),
        read: (maxBytes) =>
          downloadBounded(url, {
            name,
            maxBytes,
            ...(f.data.size !== undefined ? { declaredSize: f.data.size } : {}),
            ...(mayHaveToken(url, access) ? { headers: { authorization: `Bearer ${access.botToken}` } } : {}),
          }),
      },
    ];
  });
}
