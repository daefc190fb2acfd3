// The fast path for a back office's note: once the note and its message row are committed, the serve role queues the
// message's job itself, so the citizen's e-mail does not wait for a NOTIFY and a relay pass. Postgres stays the source of
// truth: the row is committed before the job exists, and if Redis refuses, the relay's timer queues the row as it
// would any other (job ids are row ids, so the two paths never queue one message twice).
import type { Hub } from '../hub.ts';
import { createRedis } from '../redis.ts';
import { NOTIFICATIONS_QUEUE, Queues } from '../delivery/queues.ts';

export type PublishNotification = (notificationId: string) => Promise<void>;

const publishers = new WeakMap<Hub, PublishNotification>();

/** The hub's publisher (one Redis connection per process, opened on first use and closed with the hub). */
export function notificationPublisher(hub: Hub): PublishNotification {
  let publish = publishers.get(hub);
  if (publish) return publish;
  let queues: Queues | null = null;
  publish = async (notificationId) => {
    if (!queues) {
      // A producer connection fails fast while Redis is away instead of holding the request.
      const redis = createRedis(hub.config.redis, 'producer', { connectionName: 'closeloop-publish' });
      redis.on('error', () => {}); // readiness reports Redis; the relay covers what is not queued here
      queues = new Queues(redis, hub.config.redis.prefix);
      const q = queues;
      hub.onClose(async () => {
        await q.close();
        await redis.quit().catch(() => {});
      });
    }
    try {
      await queues.get(NOTIFICATIONS_QUEUE).add('notifications', { id: notificationId }, { jobId: notificationId });
    } catch (err) {
      hub.log.debug({ err: (err as Error).message, notificationId }, 'message not queued directly; the relay will queue it');
    }
  };
  publishers.set(hub, publish);
  return publish;
}
