import { Option } from 'commander';
import { exportProfile, formatSummary, profileSummary, resetProfile } from '../../recommend/index.ts';
import { describeRecipient } from '../../recommend/recipient.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import { forgetRecipient } from '../../service/forget.ts';
import type { RegisterCommand } from '../context.ts';

interface ProfileOpts extends RecipientOpts {
  export?: boolean;
  forget?: boolean;
  reset?: boolean;
  json?: boolean;
}

/** What drives a feed (`profile`), and export, reset and forget-me (`why`: derived from its chat command, ./core.ts). */
export const register: RegisterCommand = (program, ctx) => {
  addRecipientOptions(program.command('profile').description('what drives the feed, in words; or export, reset or delete it'))
    .addOption(new Option('--export', 'print everything stored about the recipient as JSON').conflicts(['forget', 'reset']))
    .addOption(new Option('--reset', 'start the profile over (delivered papers stay recorded, so none is re-sent)').conflicts('forget'))
    .addOption(new Option('--forget', 'delete everything stored about the recipient: profile, reactions, sent-log, digests'))
    .option('--json', 'print the result as JSON')
    .action(async (o: ProfileOpts) => {
      await ctx.withApp(async (app) => {
        const r = recipientFrom(o);
        if (o.export) return ctx.printJson(await exportProfile(app, r));
        if (o.forget) {
          const out = await forgetRecipient(app, r);
          if (o.json) return ctx.printJson(out);
          const n = out.deleted.length + out.outboxEntries;
          return ctx.print(
            n
              ? `Deleted everything stored about ${describeRecipient(r)} (${n} ${n === 1 ? 'record' : 'records'}).`
              : `Nothing was stored about ${describeRecipient(r)}.`,
          );
        }
        if (o.reset) {
          const out = await resetProfile(app, r);
          if (o.json) return ctx.printJson(out);
          return ctx.print(out.reset ? `The profile of ${describeRecipient(r)} starts over.` : `${describeRecipient(r)} had no profile.`);
        }
        const summary = await profileSummary(app, r);
        if (o.json) ctx.printJson(summary);
        else ctx.print(formatSummary(summary));
      });
    });
};
