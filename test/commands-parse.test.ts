// Command text → structured Command, and the usage replies for everything malformed.
import { describe, expect, it } from 'vitest';
import { COMMAND_LIMITS, isReply, parseCommand, type Command, type Reply } from '../src/commands/index.ts';
import { PROMPT_LIMITS } from '../src/llm/prompts.ts';

function command(text: string): Command {
  const r = parseCommand(text);
  if (isReply(r)) throw new Error(`expected a command for '${text}', got: ${r.text}`);
  return r;
}

function usage(text: string): Reply {
  const r = parseCommand(text);
  if (!isReply(r)) throw new Error(`expected a usage reply for '${text}', got ${JSON.stringify(r)}`);
  expect(r.kind).toBe('usage');
  expect(r.visibility).toBe('private');
  return r;
}

describe('parseCommand', () => {
  it('takes feedback in chat, named like the card buttons', () => {
    expect(command('up 2401.01234')).toEqual({ name: 'feedback', kind: 'up', paper: '2401.01234' });
    expect(command('Down https://arxiv.org/abs/2401.01234')).toEqual({ name: 'feedback', kind: 'down', paper: 'https://arxiv.org/abs/2401.01234' });
    expect(command('not for me 2401.01234')).toEqual({ name: 'feedback', kind: 'not-interested', paper: '2401.01234' });
    expect(command('Not-For-Me Graph neural networks for molecules')).toEqual({
      name: 'feedback',
      kind: 'not-interested',
      paper: 'Graph neural networks for molecules',
    });
    expect(usage('up').text).toMatch(/Say which paper.*`up <arXiv id \| title>`/s);
    expect(usage('not for me').text).toMatch(/Say which paper/);
  });

  it('parses every family into its structured form', () => {
    expect(command('today')).toEqual({ name: 'today' });
    expect(command('  TODAY  ')).toEqual({ name: 'today' });
    expect(command('similar 2401.01234')).toEqual({ name: 'similar', query: '2401.01234' });
    expect(command('similar   diffusion   models\tfor images')).toEqual({ name: 'similar', query: 'diffusion models for images' });
    expect(command('search sparse attention')).toEqual({ name: 'search', query: 'sparse attention' });
    expect(command('why 2401.01234')).toEqual({ name: 'why', paper: '2401.01234' });
    expect(command('ask  how can diffusion models\tsample faster?')).toEqual({ name: 'ask', question: 'how can diffusion models sample faster?' });
    expect(command('topics add diffusion models')).toEqual({ name: 'topics', scope: 'user', op: 'add', text: 'diffusion models' });
    expect(command('topics')).toEqual({ name: 'topics', scope: 'user', op: 'list' });
    expect(command('topic rm 2')).toEqual({ name: 'topics', scope: 'user', op: 'remove', ref: '2' });
    expect(command('keywords add -survey')).toEqual({ name: 'keywords', scope: 'user', op: 'add', phrase: '-survey' });
    expect(command('keywords remove +diffusion')).toEqual({ name: 'keywords', scope: 'user', op: 'remove', phrase: '+diffusion' });
    expect(command('follow Yann LeCun')).toEqual({ name: 'follow', author: 'Yann LeCun' });
    expect(command('unfollow Yann LeCun')).toEqual({ name: 'unfollow', author: 'Yann LeCun' });
    expect(command('seed 2401.01234')).toEqual({ name: 'seed', op: 'add', paper: '2401.01234' });
    expect(command('seed remove 2401.01234')).toEqual({ name: 'seed', op: 'remove', paper: '2401.01234' });
    expect(command('profile')).toEqual({ name: 'profile' });
    expect(command('forget-me')).toEqual({ name: 'forget-me' });
    expect(command('help')).toEqual({ name: 'help' });
    expect(command('')).toEqual({ name: 'help' });
    expect(command('/papers help topics')).toEqual({ name: 'help', topic: 'topics' });
  });

  it('reads mute durations: a trailing number, Nd or N days, default 30', () => {
    expect(command('mute author Jane Doe')).toEqual({ name: 'mute', kind: 'author', value: 'Jane Doe', days: 30 });
    expect(command('mute author Jane Doe 7')).toEqual({ name: 'mute', kind: 'author', value: 'Jane Doe', days: 7 });
    expect(command('mute keyword survey 14d')).toEqual({ name: 'mute', kind: 'keyword', value: 'survey', days: 14 });
    expect(command('mute topic reinforcement learning 3 days')).toEqual({ name: 'mute', kind: 'topic', value: 'reinforcement learning', days: 3 });
    // A lone number is what to mute, not a duration.
    expect(command('mute keyword 42')).toEqual({ name: 'mute', kind: 'keyword', value: '42', days: 30 });
    expect(command('unmute topic reinforcement learning')).toEqual({ name: 'unmute', kind: 'topic', value: 'reinforcement learning' });
    expect(usage('mute author Jane 9999').text).toMatch(/3650/);
  });

  it('parses digest settings for users and channels', () => {
    expect(command('digest')).toEqual({ name: 'digest', scope: 'user', op: 'status' });
    expect(command('digest on')).toEqual({ name: 'digest', scope: 'user', op: 'on' });
    expect(command('digest off')).toEqual({ name: 'digest', scope: 'user', op: 'off' });
    expect(command('digest time 8:05')).toEqual({ name: 'digest', scope: 'user', op: 'time', time: '08:05' });
    expect(command('digest timezone Europe/Berlin')).toEqual({ name: 'digest', scope: 'user', op: 'timezone', timeZone: 'Europe/Berlin' });
    expect(command('channel digest time 09:30')).toEqual({ name: 'digest', scope: 'channel', op: 'time', time: '09:30' });
    expect(command('channel topics add llm agents')).toEqual({ name: 'topics', scope: 'channel', op: 'add', text: 'llm agents' });
    expect(command('channel keywords list')).toEqual({ name: 'keywords', scope: 'channel', op: 'list' });
  });

  it('answers malformed commands with the right form', () => {
    expect(usage('frobnicate now').text).toMatch(/^Unknown command `frobnicate`.*`help`/);
    expect(usage('topics frob').text).toMatch(/`topics frob` is not a topics command\. Usage: `topics add <text>`/);
    expect(usage('topics add').text).toMatch(/Say which topic to add\. Usage:/);
    expect(usage('similar').text).toMatch(/Usage: `similar <arXiv id \| URL \| title \| text>`/);
    expect(usage('ask').text).toMatch(/^Say what you want to know\. Usage: `ask <question>`/);
    expect(usage('today please').text).toMatch(/`today` takes no arguments/);
    expect(usage('digest time 24:00').text).toMatch(/A time is HH:MM, 24-hour/);
    expect(usage('digest at').text).toMatch(/Say the time/);
    expect(usage('digest on now').text).toMatch(/takes nothing more/);
    expect(usage('mute 7').text).toMatch(/author, keyword or topic/);
    expect(usage('mute').text).toMatch(/Usage: `mute author <name> \[days\]`/);
    expect(usage('channel').text).toMatch(/Usage: `channel .*`channel topics add <text>`/);
    expect(usage('channel follow x').text).toMatch(/`channel follow` is not a channel command/);
    expect(usage('channel digest time 7').text).toMatch(/HH:MM.*Usage: `channel .*`channel topics add/s);
  });

  it('parses the reading list, history and digest cadence', () => {
    expect(command('save 2401.01234')).toEqual({ name: 'save', paper: '2401.01234' });
    expect(command('bookmark https://arxiv.org/abs/2401.01234v2')).toEqual({ name: 'save', paper: 'https://arxiv.org/abs/2401.01234v2' });
    expect(command('unsave 3')).toEqual({ name: 'unsave', paper: '3' });
    expect(command('saved')).toEqual({ name: 'saved' });
    expect(command('saved --export BibTeX')).toEqual({ name: 'saved', export: 'bibtex' });
    expect(command('saved export csl')).toEqual({ name: 'saved', export: 'csl' });
    expect(usage('saved --export ris').text).toMatch(/bibtex, jsonl or csl.*Usage: `saved`/s);
    expect(usage('saved everything').text).toMatch(/Usage: `saved`/);
    expect(usage('save').text).toMatch(/Say which paper/);
    expect(command('history')).toEqual({ name: 'history', days: 7 });
    expect(command('history 30')).toEqual({ name: 'history', days: 30 });
    expect(command('history 14 days')).toEqual({ name: 'history', days: 14 });
    expect(command('history 2d')).toEqual({ name: 'history', days: 2 });
    expect(usage('history 91').text).toMatch(/at most 90 days/);
    expect(usage('history 0').text).toMatch(/at least 1 day/);
    expect(usage('history lots').text).toMatch(/how many days/);
    expect(command('digest weekly monday')).toEqual({ name: 'digest', scope: 'user', op: 'weekly', day: 'monday' });
    expect(command('digest weekly Fri')).toEqual({ name: 'digest', scope: 'user', op: 'weekly', day: 'friday' });
    expect(command('digest weekly sundays')).toEqual({ name: 'digest', scope: 'user', op: 'weekly', day: 'sunday' });
    expect(command('channel digest weekly tuesday')).toEqual({ name: 'digest', scope: 'channel', op: 'weekly', day: 'tuesday' });
    expect(command('digest daily')).toEqual({ name: 'digest', scope: 'user', op: 'daily' });
    expect(usage('digest weekly').text).toMatch(/Say the day/);
    expect(usage('digest weekly someday').text).toMatch(/A day is monday, tuesday, ... or sunday/);
  });

  it('caps long input instead of cutting it', () => {
    const long = `search ${'a'.repeat(COMMAND_LIMITS.input)}`;
    expect(usage(long).text).toMatch(new RegExp(`${long.length} characters long; commands are at most ${COMMAND_LIMITS.input}`));
    expect(usage(`search ${'word '.repeat(120)}`).text).toMatch(/longer than 500 characters/);
    expect(usage(`topics add ${'x'.repeat(301)}`).text).toMatch(/A topic is longer than 300 characters/);
    // A question the prompt would cut is refused here instead.
    expect(COMMAND_LIMITS.question).toBeLessThanOrEqual(PROMPT_LIMITS.question);
    expect(usage(`ask ${'why '.repeat(130)}`).text).toMatch(/A question is longer than 500 characters\. Usage: `ask <question>`/);
    expect(command(`ask ${'w'.repeat(COMMAND_LIMITS.question)}`)).toEqual({ name: 'ask', question: 'w'.repeat(COMMAND_LIMITS.question) });
  });

  it('keeps URLs as text (nothing is fetched or run)', () => {
    expect(command('similar https://arxiv.org/abs/2401.01234v2')).toEqual({ name: 'similar', query: 'https://arxiv.org/abs/2401.01234v2' });
    expect(command('search $(rm -rf /); `reboot`')).toEqual({ name: 'search', query: '$(rm -rf /); `reboot`' });
  });
});
