/**
 * The server's event stream (`/api/v1/stream`, Server-Sent Events) for a React component: the named
 * events of the given topics in the user's area, each handed over parsed, as it happens. EventSource
 * cannot send headers and the session token must never go in an address, so each connection opens
 * with a fresh single-use ticket (`POST /api/v1/stream/ticket`); on a drop the hook asks for a new
 * ticket and reconnects itself. `session.ended` (logout elsewhere, revocation) stops it.
 */
import { useEffect, useRef, useState } from 'react';
import { api, getToken, unwrap } from './client.ts';

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
    if (!getToken()) return;
    const events = nameList.split(',');
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const listener = (m: MessageEvent<string>) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(m.data) as Record<string, unknown>;
      } catch {
        return; // a malformed event is skipped; the next one or the next refresh corrects the picture
      }
      handler.current(m.type, data);
    };
    const close = () => {
      if (!source) return;
      for (const name of events) source.removeEventListener(name, listener);
      source.close();
      source = null;
    };
    const connect = async () => {
      let ticket: string;
      try {
        ticket = (await unwrap(api.POST('/api/v1/stream/ticket'))).ticket;
      } catch {
        // Not signed in any more (the client reports 401 itself) or the server is away: try later.
        if (!stopped && getToken()) retry = setTimeout(connect, 5000);
        return;
      }
      if (stopped) return;
      const s = new EventSource(
        `/api/v1/stream?topics=${encodeURIComponent(topics)}&ticket=${encodeURIComponent(ticket)}`,
      );
      source = s;
      s.onopen = () => setConnected(true);
      // A ticket opens one connection: on a drop, close and come back with a new ticket.
      s.onerror = () => {
        setConnected(false);
        close();
        if (!stopped) retry = setTimeout(connect, 2000);
      };
      s.addEventListener('session.ended', () => {
        setConnected(false);
        stopped = true;
        close();
      });
      for (const name of events) s.addEventListener(name, listener);
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      close();
    };
  }, [topics, nameList]);
  return connected;
}
