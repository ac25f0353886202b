/**
 * The citizen pages live outside the login: `#/report` to report, `/track/{number}` (the link a
 * receipt gives) or `#/track/{number}` to follow a report. Everything else is the staff app.
 */
export type PublicRoute = { page: 'report' } | { page: 'track'; number: string };

export function parsePublicRoute(pathname: string, hash: string): PublicRoute | null {
  const h = hash.replace(/^#/, '');
  if (h.startsWith('/report')) return { page: 'report' };
  const byHash = /^\/track(?:\/([^/?#]*))?/.exec(h);
  if (byHash) return { page: 'track', number: decodeURIComponent(byHash[1] ?? '') };
  const byPath = /^\/track\/([^/?#]*)/.exec(pathname);
  if (byPath) return { page: 'track', number: decodeURIComponent(byPath[1] ?? '') };
  return null;
}

export function trackHash(number: string): string {
  return `#/track/${encodeURIComponent(number)}`;
}
