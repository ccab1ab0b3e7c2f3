/** State of the graphql-ws connection as the header badge shows it. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** True once the server acknowledged a connection; a later close is a drop, not a failed start. */
  everConnected: boolean;
  /** Connections lost since login. */
  drops: number;
  /** Why the socket is not connected, for the badge's description. */
  detail: string | null;
}

export type ConnectionEvent =
  | { type: 'connecting'; isRetry: boolean }
  | { type: 'connected' }
  | { type: 'closed'; code?: number; reason?: string }
  | { type: 'failed'; reason: string };

export const initialConnectionState: ConnectionState = {
  status: 'connecting',
  everConnected: false,
  drops: 0,
  detail: null,
};

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'connecting':
      if (state.status === 'offline') return state;
      // Until a first connection succeeded there is nothing to "re"-connect.
      return { ...state, status: state.everConnected ? 'reconnecting' : 'connecting' };
    case 'connected':
      return { ...state, status: 'connected', everConnected: true, detail: null };
    case 'closed': {
      if (state.status === 'offline') return state;
      const wasConnected = state.status === 'connected';
      return {
        ...state,
        status: state.everConnected ? 'reconnecting' : 'connecting',
        drops: wasConnected ? state.drops + 1 : state.drops,
        detail: event.reason || (event.code ? `closed with code ${event.code}` : state.detail),
      };
    }
    case 'failed':
      return { ...state, status: 'offline', detail: event.reason };
  }
}

export interface ConnectionStore {
  get(): ConnectionState;
  subscribe(listener: () => void): () => void;
  dispatch(event: ConnectionEvent): void;
}

/** A tiny external store for `useSyncExternalStore`. */
export function createConnectionStore(initial: ConnectionState = initialConnectionState): ConnectionStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(event) {
      const next = nextConnectionState(state, event);
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
  };
}
