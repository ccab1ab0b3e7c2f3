import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessionStore, isSessionUsable, type Session } from './session';

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const user = { id: 'u', email: 'd@x', displayName: 'Dr D', roles: [], memberships: [] };
const session = (expiresAt: string): Session => ({ token: 't', expiresAt, user });

afterEach(() => {
  vi.useRealTimers();
});

describe('session', () => {
  it('survives a reload of the tab through sessionStorage', () => {
    const storage = new MemoryStorage();
    createSessionStore(storage).set(session(new Date(Date.now() + 60_000).toISOString()));
    expect(createSessionStore(storage).get()?.token).toBe('t');
  });

  it('drops an expired stored session', () => {
    const storage = new MemoryStorage();
    storage.setItem('triage.session', JSON.stringify(session('2000-01-01T00:00:00Z')));
    const store = createSessionStore(storage);
    expect(store.get()).toBeNull();
    expect(store.lastLogoutReason()).toBe('expired');
    expect(storage.length).toBe(0);
  });

  it('logs out when the token expires', () => {
    vi.useFakeTimers();
    const storage = new MemoryStorage();
    const store = createSessionStore(storage);
    const changes: (string | null)[] = [];
    store.subscribe(() => changes.push(store.get()?.token ?? null));
    store.set(session(new Date(Date.now() + 5_000).toISOString()));
    vi.advanceTimersByTime(4_000);
    expect(store.get()).not.toBeNull();
    vi.advanceTimersByTime(2_000);
    expect(store.get()).toBeNull();
    expect(store.lastLogoutReason()).toBe('expired');
    expect(changes).toEqual(['t', null]);
    expect(storage.getItem('triage.session')).toBeNull();
  });

  it('ignores garbage in storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('triage.session', '{not json');
    expect(createSessionStore(storage).get()).toBeNull();
    expect(isSessionUsable(null)).toBe(false);
  });
});
