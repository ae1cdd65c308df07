import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** Paths whose values are secrets: never written to a log, whatever object carries them. */
const REDACT = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_APP_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'config.OPENAI_API_KEY',
  '*.OPENAI_API_KEY',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_APP_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.PAPERFEED_API_TOKEN',
];

/**
 * Structured logs go to stderr so that stdout stays clean for command output and --json. On a
 * terminal they are rendered for people (synchronously, so a short CLI run loses no line);
 * anywhere else they stay one JSON object per line for log collectors.
 */
export function createLogger(
  level: string = 'info',
  opts: { pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (opts.destination) return pino(options, opts.destination);
  const human = opts.pretty ?? process.stderr.isTTY === true;
  if (human) {
    // Loaded only for a terminal: about 100 ms of module loading that every other process would pay for nothing.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(options, pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss', singleLine: true }));
  }
  return pino(options, pino.destination(2));
}

/** How a process runs: a one-shot command answers a person; a service runs under a supervisor. */
export type LogRole = 'command' | 'service';

export interface LogSettings {
  PAPERFEED_LOG_LEVEL?: string | undefined;
  PAPERFEED_LOG_FORMAT: 'auto' | 'json' | 'pretty';
}

/**
 * The logger for a CLI run. A one-shot command logs only warnings and errors unless asked, so a
 * person sees nothing but the answer, and logs them readably on a terminal; `serve` and the bots
 * log from info as JSON for collectors. PAPERFEED_LOG_LEVEL / PAPERFEED_LOG_FORMAT override both.
 */
export function loggerFor(settings: LogSettings, role: LogRole): Logger {
  const level = settings.PAPERFEED_LOG_LEVEL ?? (role === 'service' ? 'info' : 'warn');
  const format = settings.PAPERFEED_LOG_FORMAT;
  const pretty = format === 'auto' ? role === 'command' && process.stderr.isTTY === true : format === 'pretty';
  return createLogger(level, { pretty });
}
