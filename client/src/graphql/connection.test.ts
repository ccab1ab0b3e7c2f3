import { describe, expect, it } from 'vitest';
import { createConnectionStore, initialConnectionState, nextConnectionState, type ConnectionEvent } from './connection';

const run = (...events: ConnectionEvent[]) => events.reduce(nextConnectionState, initialConnectionState);

describe('connection state', () => {
  it('goes from connecting to connected', () => {
    expect(run({ type: 'connecting', isRetry: false }).status).toBe('connecting');
    expect(run({ type: 'connecting', isRetry: false }, { type: 'connected' }).status).toBe('connected');
  });

  it('shows reconnecting after a drop and counts the drop', () => {
    const dropped = run({ type: 'connecting', isRetry: false }, { type: 'connected' }, { type: 'closed', code: 1006 });
    expect(dropped).toMatchObject({ status: 'reconnecting', drops: 1, detail: 'closed with code 1006' });
    const back = nextConnectionState(nextConnectionState(dropped, { type: 'connecting', isRetry: true }), { type: 'connected' });
    expect(back).toMatchObject({ status: 'connected', drops: 1, detail: null });
  });

  it('keeps saying connecting while the first connection keeps failing', () => {
    const state = run({ type: 'connecting', isRetry: false }, { type: 'closed', code: 1006 }, { type: 'connecting', isRetry: true });
    expect(state.status).toBe('connecting');
    expect(state.drops).toBe(0);
  });

  it('stays offline after a fatal failure', () => {
    const state = run({ type: 'connected' }, { type: 'failed', reason: 'Sign-in refused' }, { type: 'connecting', isRetry: true });
    expect(state).toMatchObject({ status: 'offline', detail: 'Sign-in refused' });
  });

  it('notifies subscribers only on change', () => {
    const store = createConnectionStore();
    let calls = 0;
    const unsubscribe = store.subscribe(() => (calls += 1));
    store.dispatch({ type: 'connected' });
    store.dispatch({ type: 'failed', reason: 'x' });
    store.dispatch({ type: 'closed' });
    unsubscribe();
    store.dispatch({ type: 'connected' });
    expect(calls).toBe(2);
  });
});
