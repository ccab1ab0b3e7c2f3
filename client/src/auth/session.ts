import type { SessionUser } from './roles';

export interface Session {
  token: string;
  /** ISO instant the token stops being accepted. */
  expiresAt: string;
  user: SessionUser;
}

/** Why the user was sent back to the login page, shown there. */
export type LogoutReason = 'signed-out' | 'expired' | 'unauthenticated';

export interface SessionStore {
  get(): Session | null;
  /** Why the last session ended (null before any). */
  lastLogoutReason(): LogoutReason | null;
  subscribe(listener: () => void): () => void;
  set(session: Session): void;
  clear(reason: LogoutReason): void;
}

const STORAGE_KEY = 'triage.session';

export function isSessionUsable(session: Session | null, now: number = Date.now()): session is Session {
  if (!session) return false;
  const expires = Date.parse(session.expiresAt);
  return !Number.isNaN(expires) && expires > now;
}

function readStored(storage: Storage | undefined): Session | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'string' && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The token lives in memory and in sessionStorage (this tab only, gone when it closes), so a
 * reload keeps the doctor signed in without a long-lived credential on disk. A timer logs out
 * the moment the token expires.
 */
export function createSessionStore(storage: Storage | undefined = globalThis.sessionStorage): SessionStore {
  let session: Session | null = readStored(storage);
  let reason: LogoutReason | null = null;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const notify = () => {
    for (const listener of listeners) listener();
  };

  const armExpiry = () => {
    clearTimeout(expiryTimer);
    if (!session) return;
    // setTimeout overflows beyond ~24.8 days; tokens are far shorter, but stay safe.
    const delay = Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1);
    expiryTimer = setTimeout(() => store.clear('expired'), Math.max(0, delay));
  };

  const store: SessionStore = {
    get: () => session,
    lastLogoutReason: () => reason,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      session = next;
      reason = null;
      try {
        storage?.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // Storage full or disabled: the session still works in memory for this page.
      }
      armExpiry();
      notify();
    },
    clear(why) {
      if (!session) return;
      session = null;
      reason = why;
      clearTimeout(expiryTimer);
      try {
        storage?.removeItem(STORAGE_KEY);
      } catch {
        // Nothing to remove.
      }
      notify();
    },
  };

  if (session && !isSessionUsable(session)) {
    session = null;
    reason = 'expired';
    storage?.removeItem(STORAGE_KEY);
  }
  armExpiry();
  return store;
}
