/** The queue in React: its items, the online state, and a sync loop (online event + backoff). */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { openQueue, type Queue, type QueueItem } from './queue.ts';

export interface QueueState {
  items: QueueItem[];
  online: boolean;
  syncing: boolean;
  add(item: QueueItem): Promise<void>;
  remove(key: string): Promise<void>;
  retry(key: string): Promise<void>;
  syncNow(): void;
}

const backoffMs = (n: number) => Math.min(60_000, 2000 * 2 ** Math.min(n, 5));

export function useQueue(userId: number): QueueState {
  const queue: Queue = useMemo(() => openQueue(userId), [userId]);
  const [items, setItems] = useState<QueueItem[]>([]);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [syncing, setSyncing] = useState(false);
  const failures = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    void queue.list().then(setItems);
  }, [queue]);

  const syncNow = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!navigator.onLine) return;
    setSyncing(true);
    void queue
      .sync()
      .then(({ stopped }) => {
        if (!stopped) {
          failures.current = 0;
          return;
        }
        failures.current += 1;
        timer.current = setTimeout(syncNow, backoffMs(failures.current));
      })
      .catch(() => {
        failures.current += 1;
        timer.current = setTimeout(syncNow, backoffMs(failures.current));
      })
      .finally(() => setSyncing(false));
  }, [queue]);

  useEffect(() => {
    const off = queue.subscribe(refresh);
    refresh();
    syncNow();
    const up = () => {
      setOnline(true);
      failures.current = 0;
      syncNow();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      off();
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [queue, refresh, syncNow]);

  return {
    items,
    online,
    syncing,
    async add(item) {
      await queue.add(item);
      syncNow();
    },
    remove: (key) => queue.remove(key),
    async retry(key) {
      const item = (await queue.list()).find((i) => i.key === key);
      if (!item) return;
      item.state = 'queued';
      delete item.error;
      await queue.add(item);
      syncNow();
    },
    syncNow,
  };
}
