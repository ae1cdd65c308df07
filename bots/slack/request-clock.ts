/**
 * Bolt's HTTP receiver refuses a request whose signed timestamp is over five minutes old, but not
 * one from the future, so a signature captured with a skewed timestamp stays replayable until its
 * time comes. This check bounds both sides, before Bolt reads the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../../src/log.ts';

/** Slack's documented window: a request timestamped further than this from now is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** Whether a request's X-Slack-Request-Timestamp is outside the window (a missing or malformed one is left to Bolt). */
export function outsideWindow(req: IncomingMessage, nowMs: number): boolean {
  const raw = req.headers['x-slack-request-timestamp'];
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(raw)) > MAX_CLOCK_SKEW_SECONDS;
}

/** Puts the two-sided timestamp check in front of the receiver's request listener. */
export function boundRequestClock(receiver: HTTPReceiver, log: Logger, now: () => number = Date.now): void {
  const next = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (!outsideWindow(req, now())) return next(req, res);
    log.warn({ timestamp: req.headers['x-slack-request-timestamp'] }, 'Slack request refused: its timestamp is more than 5 minutes from now');
    // Drain the body so the connection can be reused, then answer as Bolt does for a bad signature.
    req.resume();
    res.writeHead(401).end();
  };
}
