// `paperfeed chat`: the chat command core from the terminal, the third adapter next to Slack and Discord.
import { Option } from 'commander';
import { executeCommand, isReply, parseCommand, plainText, replyText, type Reply } from '../../commands/index.ts';
import { UserError } from '../../errors.ts';
import { cliCommandContext } from '../recipient-options.ts';
import type { App } from '../../service/app.ts';
import type { RegisterCommand } from '../context.ts';

interface ChatOpts {
  user?: string;
  channel?: string;
  json?: boolean;
}

/** Runs one command as a chat user (the admin of any channel named: see cliCommandContext). */
export async function runChat(app: App, text: string, o: ChatOpts): Promise<Reply> {
  const parsed = parseCommand(text);
  return isReply(parsed) ? parsed : executeCommand(app, cliCommandContext(o), parsed);
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('chat')
    .description('run a chat command as the Slack and Discord bots do, e.g. paperfeed chat --user U123 "topics add diffusion models"')
    .argument('<command...>', "the command, as typed after /papers (quote it; 'help' lists them)")
    .option('--user <id>', 'who is asking (default: your login name; a Slack or Discord id shares that profile)')
    .addOption(new Option('--channel <id>', 'the channel the command is typed in (for `channel ...` commands)'))
    .option('--json', 'print the reply as JSON')
    // Words such as "-survey" belong to the command text, not to paperfeed.
    .allowUnknownOption()
    .action(async (words: string[], o: ChatOpts) => {
      await ctx.withApp(async (app) => {
        const reply = await runChat(app, words.join(' '), o);
        if (o.json) return ctx.printJson(reply);
        if (reply.kind === 'usage' || reply.kind === 'error') throw new UserError(plainText(reply.text));
        ctx.print(replyText(reply));
      });
    });
};
