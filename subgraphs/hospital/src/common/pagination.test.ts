import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

describe('cursors', () => {
  it('round-trip (createdAt, id) to the millisecond', () => {
    const position = { createdAt: new Date('2024-02-29T23:59:59.123Z'), id: '0b6f3d3e-3c1a-4a57-9d4e-2f7f0f8f2d11' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each(['', 'garbage', Buffer.from('[1,2,3]').toString('base64url'), Buffer.from('["v1","not a date","x"]').toString('base64url')])(
    'refuses %j with BAD_USER_INPUT',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
    },
  );
});

describe('pageSize', () => {
  it('defaults to 20 and accepts 1..100', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(101)).toThrow(/between 1 and 100/);
    expect(() => pageSize(0)).toThrow(/between 1 and 100/);
  });
});
