import type { DigestSubscription } from '../../src/digests/index.ts';

/** A stored digest subscription: enabled, 08:00 UTC, daily unless `weekday` is given. */
export const subscription = (o: Partial<DigestSubscription>): DigestSubscription => ({
  v: 1,
  platform: 'slack',
  kind: 'user',
  id: 'U1',
  enabled: true,
  time: '08:00',
  timeZone: 'UTC',
  updatedAt: '2024-01-01T00:00:00.000Z',
  ...o,
});
