/**
 * A platform's digest subscriptions (src/digests) delivered through the service's outbox: the
 * subscriptions say who is due, the outbox makes each (recipient, local day) go out once, and the
 * platform's sender posts it.
 */
import { cadenceOf } from '../digests/cadence.ts';
import { composeDigest, confirmDigest, digestDefaults, dueDigests, recipientOf, type DigestSender } from '../digests/index.ts';
import { loadSubscription, updateStoredSubscription } from '../digests/subscriptions.ts';
import type { Recipient } from '../recommend/index.ts';
import type { App } from './app.ts';
import type { DigestDeliverer, DigestPlanner } from './jobs.ts';

export function subscriptionDigests(
  app: App,
  platform: Recipient['platform'],
  send: DigestSender,
  /** The clock a digest is composed by (tests pass their own, as the schedule's `now`). */
  clock: () => Date = () => new Date(),
): { planner: DigestPlanner; deliverer: DigestDeliverer } {
  const planner: DigestPlanner = {
    async due(now) {
      return (await dueDigests(app, platform, now)).map((d) => ({ recipient: recipientOf(d.subscription), date: d.localDate }));
    },
    // The subscription's done day stops it being listed again today; the outbox already keeps it from going out twice.
    async settled(ref, _status, now) {
      if (ref.recipient.platform !== platform) return;
      await updateStoredSubscription(app, ref.recipient, digestDefaults(app), now, (s) => {
        if (s.doneDate === undefined || s.doneDate < ref.date) s.doneDate = ref.date;
        delete s.failures;
      });
    },
  };
  const deliverer: DigestDeliverer = {
    async deliver(ref) {
      const now = clock();
      // Daily or weekly (the week's best), as the subscription says now.
      const { value: subscription } = await loadSubscription(app, ref.recipient, digestDefaults(app), now);
      const digest = await composeDigest(app, ref.recipient, now, cadenceOf(subscription));
      // Quiet days send nothing (as the platform schedulers do): the entry is still settled.
      if (digest.paperIds.length === 0) return;
      const outcome = await send(ref.recipient, digest.reply);
      if (outcome === 'sent') {
        await confirmDigest(app, digest, now);
        return;
      }
      await updateStoredSubscription(app, ref.recipient, digestDefaults(app), now, (s) => {
        s.enabled = false;
        s.disabledReason = `the bot could not post there any more (${now.toISOString().slice(0, 10)})`;
      });
      app.log.warn({ recipient: `${platform}:${ref.recipient.kind}:${ref.recipient.id}` }, 'digest destination is gone; digest turned off');
    },
  };
  return { planner, deliverer };
}
