/**
 * The server's event stream (`/api/v1/stream`, Server-Sent Events) for a React component: the named
 * events of the given topics in the user's area, each handed over parsed, as it happens. EventSource
 * cannot send headers, so the token goes in the address; the browser reconnects by itself.
 */
import { useEffect, useRef, useState } from 'react';
import { getToken } from './client.ts';

/** Listens while mounted; returns whether the stream is connected. */
export function useEventStream(
  topics: string,
  names: readonly string[],
  onEvent: (name: string, data: Record<string, unknown>) => void,
): boolean {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [connected, setConnected] = useState(false);
  const nameList = names.join(',');
  useEffect(() => {
    const token = getToken();
    if (!token) return;
    const source = new EventSource(
      `/api/v1/stream?topics=${topics}&access_token=${encodeURIComponent(token)}`,
    );
    const listener = (m: MessageEvent<string>) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(m.data) as Record<string, unknown>;
      } catch {
        return; // a malformed event is skipped; the next one or the next refresh corrects the picture
      }
      handler.current(m.type, data);
    };
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    const events = nameList.split(',');
    for (const name of events) source.addEventListener(name, listener);
    return () => {
      for (const name of events) source.removeEventListener(name, listener);
      source.close();
    };
  }, [topics, nameList]);
  return connected;
}
