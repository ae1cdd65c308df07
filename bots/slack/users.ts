/**
 * What the bot asks Slack about a user: are they allowed to change a channel's settings, and what
 * is their time zone. Cached for a few minutes so a burst of commands is one users.info call.
 *
 * Channel admin rule: Slack has no per-channel admin that a bot token can read (channel managers
 * are only visible to Enterprise Grid admin APIs), so "channel admin" means a workspace admin or
 * owner (users.info is_admin / is_owner / is_primary_owner), or a user listed in
 * PAPERFEED_SLACK_ADMINS.
 */
import { z } from 'zod';
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/log.ts';

const CACHE_MS = 5 * 60_000;

const userInfoSchema = z.object({
  user: z.object({
    id: z.string(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
    tz: z.string().max(64).optional(),
  }),
});

export interface SlackUser {
  isAdmin: boolean;
  tz?: string;
}

export class SlackUsers {
  private readonly cache = new Map<string, { at: number; user: Promise<SlackUser | undefined> }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly admins: ReadonlySet<string>,
  ) {}

  private lookup(userId: string): Promise<SlackUser | undefined> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.user;
    const user = this.client.users.info({ user: userId }).then(
      (res) => {
        const parsed = userInfoSchema.safeParse(res);
        if (!parsed.success) {
          this.log.warn({ user: userId }, 'users.info answer not understood');
          return undefined;
        }
        const u = parsed.data.user;
        return { isAdmin: Boolean(u.is_admin || u.is_owner || u.is_primary_owner), ...(u.tz ? { tz: u.tz } : {}) };
      },
      (err: unknown) => {
        this.log.warn({ user: userId, err: (err as Error).message }, 'users.info failed');
        this.cache.delete(userId);
        return undefined;
      },
    );
    this.cache.set(userId, { at: Date.now(), user });
    return user;
  }

  async isChannelAdmin(userId: string): Promise<boolean> {
    if (this.admins.has(userId)) return true;
    return (await this.lookup(userId))?.isAdmin ?? false;
  }

  async timeZone(userId: string): Promise<string | undefined> {
    return (await this.lookup(userId))?.tz;
  }
}
