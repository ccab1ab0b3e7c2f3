/**
 * Hash routes (`#/studies/<hospital>/<study>`): the gateway serves the built app as static files,
 * so a reload of any screen must not depend on a server-side fallback to index.html.
 */
export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'worklist' }
  | { name: 'upload' }
  | { name: 'research' }
  | { name: 'ops' }
  | { name: 'admin' }
  | { name: 'study'; hospitalId: string; studyId: string }
  | { name: 'notFound'; path: string };

const SIMPLE = new Set(['login', 'worklist', 'upload', 'research', 'ops', 'admin']);

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '') return { name: 'home' };
  const parts = path.split('/');
  try {
    if (parts.length === 1 && SIMPLE.has(parts[0]!)) return { name: parts[0] } as Route;
    if (parts.length === 3 && parts[0] === 'studies' && parts[1] && parts[2]) {
      return { name: 'study', hospitalId: decodeURIComponent(parts[1]), studyId: decodeURIComponent(parts[2]) };
    }
  } catch {
    // A malformed %-escape is simply an unknown page.
  }
  return { name: 'notFound', path: `/${path}` };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'study':
      return `#/studies/${encodeURIComponent(route.hospitalId)}/${encodeURIComponent(route.studyId)}`;
    case 'notFound':
      return `#${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
