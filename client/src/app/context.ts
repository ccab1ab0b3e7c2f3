import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Session, SessionStore } from '../auth/session';
import type { Api } from '../graphql/client';
import type { ConnectionState } from '../graphql/connection';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export function useConnectionState(): ConnectionState {
  const { connection } = useApi();
  return useSyncExternalStore(connection.subscribe, connection.get);
}

export interface SessionContextValue {
  session: Session;
  sessions: SessionStore;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}
