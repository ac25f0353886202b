/**
 * A TCP proxy for fault tests: forwards to `target` until paused, then holds every byte in both
 * directions (and new connections' bytes) without closing anything — a database that stalls, as
 * a hung server or a network partition looks to the client — and forwards again on resume.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let paused = false;
  const flushers = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    const link = (from: net.Socket, to: net.Socket) => {
      const held: Buffer[] = [];
      const flush = () => {
        while (held.length > 0 && !to.destroyed) to.write(held.shift()!);
      };
      flushers.add(flush);
      from.on('data', (chunk: Buffer) => {
        if (paused) held.push(chunk);
        else {
          flush();
          to.write(chunk);
        }
      });
      // One side gone (the pool dropping a stuck connection): the other goes too.
      from.on('close', () => {
        flushers.delete(flush);
        to.destroy();
      });
    };
    link(client, upstream);
    link(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const f of flushers) f();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
