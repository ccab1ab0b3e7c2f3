import { describe, expect, it } from 'vitest';
import { decodeWorklistCursor, encodeWorklistCursor } from './worklist-cursor.js';

describe('worklist cursor', () => {
  it('round-trips a position with millisecond precision', () => {
    const position = { priority: 912, receivedAt: new Date('2025-03-01T10:11:12.345Z'), hospitalId: 'h-1', studyId: 's:2' };
    expect(decodeWorklistCursor(encodeWorklistCursor(position))).toEqual(position);
  });

  it('rejects garbage with BAD_USER_INPUT', () => {
    for (const cursor of ['', 'not-a-cursor', Buffer.from('[2,1,"x","h","s"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
      expect(() => decodeWorklistCursor(cursor)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
    }
  });
});
