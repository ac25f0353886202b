/**
 * The inspector app's outbox (待同步): reports with their photos, check/verify results and patrol
 * points wait in IndexedDB until the server has confirmed them. Each item gets its idempotency key
 * when the user submits, so sending it again (a lost answer, a second tab, a replay) files nothing
 * twice. Items go out in the order they were made; a network failure stops the pass and retries
 * with backoff; an answer the server refuses (4xx) marks that item failed with the server's words.
 */
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import { ApiError, api, unwrap } from '../api/client.ts';

export interface ReportPayload {
  category: string;
  description: string;
  location: { lng: number; lat: number };
  address?: string;
}

export interface QueuedPhoto {
  blob: Blob;
  name: string;
  /** Set once uploaded, so a retry does not upload it again. */
  id?: string;
}

interface Base {
  /** Idempotency key, made when the user submitted. */
  key: string;
  createdAt: string;
  /** queued: not confirmed by the server yet; sent: confirmed; failed: refused (see `error`). */
  state: 'queued' | 'sent' | 'failed';
  error?: { code: string; message: string; field?: string };
  attempts: number;
}

export interface ReportItem extends Base {
  kind: 'report';
  body: ReportPayload;
  photos: QueuedPhoto[];
  /** Fixed on the spot (自处理): the case is self-handled right after it is filed. */
  selfHandle: boolean;
  result?: { id: number; number: string; status: string };
}

export interface ActionItem extends Base {
  kind: 'action';
  caseId: number;
  caseNumber: string;
  action: 'verify' | 'confirm-report';
  version: number;
  body: { passed?: boolean; confirmed?: boolean; note?: string };
  photos: QueuedPhoto[];
  result?: { id: number; number: string; status: string };
}

export interface PointsItem extends Base {
  kind: 'points';
  points: { recordedAt: string; lng: number; lat: number; accuracyM?: number }[];
}

export type QueueItem = ReportItem | ActionItem | PointsItem;

export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Not a secure context (plain http on a LAN): random hex from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function uploadPhoto(p: QueuedPhoto): Promise<string> {
  if (p.id) return p.id;
  const form = new FormData();
  form.append('file', p.blob, p.name);
  const r = await unwrap(api.POST('/api/v1/attachments', { body: form as never }));
  p.id = r.id;
  return r.id;
}

/** Network trouble, a server restart or an ended session: try again later, the item stays queued. */
function isTransient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.status === 0 || e.status === 401 || e.status === 408 || e.status === 429 || e.status >= 500;
}

export interface Queue {
  list(): Promise<QueueItem[]>;
  add(item: QueueItem): Promise<void>;
  remove(key: string): Promise<void>;
  /** One pass over the queued items, oldest first; resolves when done or stopped by the network. */
  sync(): Promise<{ sent: number; stopped: boolean }>;
  subscribe(listener: () => void): () => void;
}

/** One queue per user (a shared phone keeps each inspector's items apart). */
export function openQueue(userId: number): Queue {
  const store: UseStore = createStore(`onegrid-inspector-${userId}`, 'queue');
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };
  let running: Promise<{ sent: number; stopped: boolean }> | null = null;
  let again = false;

  async function list(): Promise<QueueItem[]> {
    const all = (await entries<string, QueueItem>(store)).map(([, v]) => v);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }

  async function save(item: QueueItem): Promise<void> {
    await set(item.key, item, store);
    changed();
  }

  async function send(item: QueueItem): Promise<void> {
    if (item.kind === 'points') {
      await unwrap(api.POST('/api/v1/patrol/points', { body: { points: item.points } }));
      return;
    }
    const photos: string[] = [];
    for (const p of item.photos) {
      photos.push(await uploadPhoto(p));
      await save(item); // remember the upload before the next step
    }
    if (item.kind === 'report') {
      if (!item.result) {
        const c = await unwrap(
          api.POST('/api/v1/cases', {
            body: { ...item.body, source: 'inspector', photos, idempotencyKey: item.key },
          }),
        );
        item.result = { id: c.id, number: c.number, status: c.status };
        await save(item);
      }
      if (item.selfHandle && item.result.status === 'reported') {
        const c = await unwrap(
          api.POST('/api/v1/cases/{id}/{action}', {
            params: { path: { id: item.result.id, action: 'self-handle' } },
            body: { version: 1, photos, idempotencyKey: `${item.key}-self-handle` },
          }),
        );
        item.result = { id: c.id, number: c.number, status: c.status };
      }
      return;
    }
    const c = await unwrap(
      api.POST('/api/v1/cases/{id}/{action}', {
        params: { path: { id: item.caseId, action: item.action } },
        body: {
          ...item.body,
          version: item.version,
          ...(photos.length ? { photos } : {}),
          idempotencyKey: item.key,
        },
      }),
    );
    item.result = { id: c.id, number: c.number, status: c.status };
  }

  async function pass(): Promise<{ sent: number; stopped: boolean }> {
    let sent = 0;
    for (const item of await list()) {
      if (item.state !== 'queued') continue;
      item.attempts += 1;
      try {
        await send(item);
        if (item.kind === 'points') {
          await del(item.key, store);
          changed();
        } else {
          item.state = 'sent';
          delete item.error;
          // The photos are on the server now; keep the phone's storage small.
          item.photos = item.photos.map((p) => ({ ...p, blob: new Blob([]) }));
          await save(item);
        }
        sent += 1;
      } catch (e) {
        if (isTransient(e)) {
          await save(item);
          return { sent, stopped: true };
        }
        const err = e as ApiError;
        const details = err.details as { field?: string } | undefined;
        item.state = 'failed';
        item.error = {
          code: err.code,
          message: err.message,
          ...(typeof details?.field === 'string' ? { field: details.field } : {}),
        };
        await save(item);
      }
    }
    return { sent, stopped: false };
  }

  return {
    list,
    async add(item) {
      await save(item);
    },
    async remove(key) {
      await del(key, store);
      changed();
    },
    sync() {
      // An item added while a pass runs is picked up by one more pass right after it.
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        let sent = 0;
        let stopped = false;
        do {
          again = false;
          const r = await pass();
          sent += r.sent;
          stopped = r.stopped;
        } while (again && !stopped);
        return { sent, stopped };
      })().finally(() => {
        running = null;
      });
      return running;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
