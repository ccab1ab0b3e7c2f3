/**
 * The app is served by the gateway (or Vite's proxy in development), so every URL is derived from
 * the page's own origin: HTTP and graphql-ws share the `/graphql` path.
 */
export function graphqlHttpUrl(location: Pick<Location, 'origin'>): string {
  return `${location.origin}/graphql`;
}

export function graphqlWsUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}

export function studyImagePath(hospitalId: string, studyId: string): string {
  return `/hospitals/${encodeURIComponent(hospitalId)}/studies/${encodeURIComponent(studyId)}/image`;
}

/**
 * Upload URLs are issued "on the gateway's origin", which may be spelled differently from the
 * page's (127.0.0.1 vs localhost, or the Vite dev server). Only the path and query matter, so the
 * bytes always go to the origin that served the app and no CORS preflight is involved.
 */
export function sameOriginPath(url: string, origin: string): string {
  const resolved = new URL(url, origin);
  return `${resolved.pathname}${resolved.search}`;
}
