/**
 * The citizen pages live outside the login: `#/report` to report, `/track/{number}?key=…` (the
 * link a receipt gives) or `#/track/{number}?key=…` to follow a report — the number alone finds
 * nothing (docs/security.md). Everything else is the staff app.
 */
export type PublicRoute = { page: 'report' } | { page: 'track'; number: string; trackKey: string };

const keyOf = (query: string | undefined) => new URLSearchParams(query ?? '').get('key') ?? '';

export function parsePublicRoute(pathname: string, hash: string, search = ''): PublicRoute | null {
  const h = hash.replace(/^#/, '');
  if (h.startsWith('/report')) return { page: 'report' };
  const byHash = /^\/track(?:\/([^/?#]*))?(?:\?(.*))?/.exec(h);
  if (byHash)
    return { page: 'track', number: decodeURIComponent(byHash[1] ?? ''), trackKey: keyOf(byHash[2]) };
  const byPath = /^\/track\/([^/?#]*)/.exec(pathname);
  if (byPath) return { page: 'track', number: decodeURIComponent(byPath[1] ?? ''), trackKey: keyOf(search) };
  return null;
}

export function trackHash(number: string, key = ''): string {
  return `#/track/${encodeURIComponent(number)}${key ? `?key=${encodeURIComponent(key)}` : ''}`;
}
