/**
 * The exchange's outbound side: messages queued in `federation_outbox` (in the transaction of the
 * change they carry) are signed and POSTed to the peer, FIFO per link — so in order per case —
 * until the peer answers 2xx; then the next. A failure backs the link off (doubling up to
 * `retryMaxMs`) and marks it failing since the first failure; the queue waits durably (hours,
 * days) and resumes by itself. One sender per deployment: the job runs under the scheduler lease.
 *
 * The queue is a seam: `enqueue` (federation.repository.ts) and `startDelivery` are all callers
 * see, so a shared delivery service (webhooks) can take the sending over without touching them.
 */
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { federationRepository, type LinkRow, type QueuedMessage } from './federation.repository.ts';
import { sign } from './keys.ts';

export interface DeliveryOptions {
  db: Db;
  log: Logger;
  clock: () => Date;
  /** How often the queue is looked at when nothing nudges it. */
  pollMs?: number;
  /** The longest wait between two tries of a failing link. */
  retryMaxMs?: number;
  /** Per request. */
  timeoutMs?: number;
  /** After a 2xx: what the peer answered (hand-up → the peer's case). Runs before the message counts as delivered. */
  onDelivered?: (link: LinkRow, m: QueuedMessage, result: Record<string, unknown>) => Promise<void>;
}

export const messagesPath = '/api/v1/federation/messages';
/** The media type of a message: the receiver takes it as raw bytes, since the signature covers exactly them. */
export const messageMediaType = 'application/vnd.onegrid.federation+json';

/** POSTs one signed envelope; resolves with the peer's answer, throws with the reason otherwise. */
export async function post(
  link: LinkRow,
  envelope: string,
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const bytes = Buffer.from(envelope, 'utf8');
  const res = await fetch(new URL(messagesPath, link.peerUrl), {
    method: 'POST',
    headers: {
      'content-type': messageMediaType,
      'x-onegrid-key': link.keyId,
      'x-onegrid-signature': `ed25519=${sign(link.privateKey, bytes)}`,
    },
    body: bytes,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  const json = JSON.parse(text) as { ok?: boolean; result?: Record<string, unknown> };
  if (!json.ok) throw new Error(`not acknowledged: ${text.slice(0, 200)}`);
  return json.result ?? {};
}

export function startDelivery(o: DeliveryOptions) {
  const repo = federationRepository(o.db);
  const pollMs = o.pollMs ?? 500;
  const retryMaxMs = o.retryMaxMs ?? 60_000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function drainLink(link: LinkRow): Promise<void> {
    for (;;) {
      const batch = await repo.head(link.id, 20);
      if (batch.length === 0) return;
      for (const m of batch) {
        if (stopped) return;
        try {
          const result = await post(link, m.envelope, o.timeoutMs);
          await o.onDelivered?.(link, m, result);
          await repo.delivered(m.id, result, o.clock());
          if (link.failures > 0 || link.failingSince || !link.lastOkAt) {
            await repo.linkOk(link.id, o.clock());
            link.failures = 0;
            link.failingSince = null;
            link.lastOkAt = o.clock();
          }
        } catch (e) {
          const now = o.clock();
          const wait = Math.min(retryMaxMs, 500 * 2 ** Math.min(link.failures, 16));
          await repo.linkFailed(link.id, m.id, (e as Error).message, now, new Date(now.getTime() + wait));
          o.log.warn(
            { category: 'federation', link: link.id, message: m.messageId, err: (e as Error).message },
            'federation delivery failed; will retry',
          );
          return;
        }
      }
    }
  }

  async function round(): Promise<void> {
    const now = o.clock().getTime();
    for (const link of await repo.links()) {
      if (stopped) return;
      if (!link.active || !link.peerKeyId) continue;
      if (link.nextAttemptAt && link.nextAttemptAt.getTime() > now) continue;
      await drainLink(link);
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .catch((e: unknown) =>
        o.log.warn({ err: e, category: 'federation' }, 'federation delivery round failed'),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  timer = setInterval(kick, pollMs);
  timer.unref?.();
  kick();
  return {
    nudge: kick,
    async close(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
