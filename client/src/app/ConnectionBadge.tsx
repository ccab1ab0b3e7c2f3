import type { ConnectionStatus } from '../graphql/connection';
import { useConnectionState } from './context';

const LABELS: Record<ConnectionStatus, string> = {
  connected: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** State of the live connection; announced politely when it changes. */
export function ConnectionBadge() {
  const state = useConnectionState();
  const description =
    state.status === 'connected'
      ? 'Live updates are on.'
      : state.status === 'offline'
        ? `Live updates stopped${state.detail ? `: ${state.detail}` : ''}.`
        : 'Live updates paused; missed changes are fetched when the connection is back.';
  return (
    <p className={`connection connection--${state.status}`} role="status" title={description}>
      <span className="connection__dot" aria-hidden="true" />
      <span>
        <span className="visually-hidden">Live updates: </span>
        {LABELS[state.status]}
      </span>
    </p>
  );
}
