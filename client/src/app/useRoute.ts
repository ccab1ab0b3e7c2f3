import { useSyncExternalStore } from 'react';
import { parseHash, type Route } from './router';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

let cachedHash: string | null = null;
let cachedRoute: Route = { name: 'home' };

/** The current hash route; the parsed object is cached so React sees a stable snapshot. */
function snapshot(): Route {
  const hash = window.location.hash;
  if (hash !== cachedHash) {
    cachedHash = hash;
    cachedRoute = parseHash(hash);
  }
  return cachedRoute;
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot);
}
