// The Slack app manifest asks for exactly the scopes the bot's code uses, and declares the command,
// events and interactivity the listeners handle.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../bots/slack/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

interface Manifest {
  features: { slash_commands: Array<{ command: string; url?: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[]; request_url?: string }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

/** Which bot scope each Web API method and event needs (Slack's method and event reference). */
const METHOD_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'conversations.open': 'im:write',
  'users.info': 'users:read',
};
const EVENT_SCOPES: Record<string, string> = { app_mention: 'app_mentions:read', 'message.im': 'im:history' };

const source = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map(read)
  .join('\n');

describe('Slack manifest', () => {
  const socket = JSON.parse(read('manifest.json')) as Manifest;
  const http = JSON.parse(read('manifest.http.json')) as Manifest;

  it('requests exactly the scopes the code needs', () => {
    const methods = [...new Set([...source.matchAll(/client\.(chat|conversations|users)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`))].sort();
    expect(methods).toEqual(Object.keys(METHOD_SCOPES).sort());
    // Downloading a shared file (url_private, library import) needs files:read.
    const files = source.includes('url_private') ? ['files:read'] : [];
    const needed = new Set(['commands', ...files, ...methods.map((m) => METHOD_SCOPES[m]!), ...socket.settings.event_subscriptions.bot_events.map((e) => EVENT_SCOPES[e]!)]);
    expect([...socket.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('declares the command, the events and interactivity the listeners handle', () => {
    expect(socket.features.slash_commands.map((c) => c.command)).toEqual(['/papers']);
    expect(source).toContain("bolt.command('/papers'");
    expect(socket.settings.event_subscriptions.bot_events.sort()).toEqual(['app_mention', 'message.im']);
    expect(source).toContain("bolt.event('app_mention'");
    expect(source).toContain("message.channel_type !== 'im'");
    expect(socket.settings.interactivity.is_enabled).toBe(true);
    expect(socket.settings.socket_mode_enabled).toBe(true);
  });

  it('the HTTP variant differs only by its request URLs and Socket Mode off', () => {
    expect(http.settings.socket_mode_enabled).toBe(false);
    const url = http.settings.event_subscriptions.request_url;
    expect(url).toMatch(/^https:\/\/.+\/slack\/events$/);
    expect(http.settings.interactivity.request_url).toBe(url);
    expect(http.features.slash_commands[0]!.url).toBe(url);
    const strip = (m: Manifest) => {
      const c = structuredClone(m);
      delete c.features.slash_commands[0]!.url;
      delete c.settings.event_subscriptions.request_url;
      delete c.settings.interactivity.request_url;
      c.settings.socket_mode_enabled = true;
      return c;
    };
    expect(strip(http)).toEqual(socket);
  });
});
