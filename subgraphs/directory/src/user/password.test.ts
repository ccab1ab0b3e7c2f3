import { describe, expect, it } from 'vitest';
import { hashPassword, readablePassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('hash with argon2id and verify only the right password', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(hash, 'a long enough passworD')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });

  it('never accept a password for an unknown user', async () => {
    expect(await verifyPassword(null, 'dummy password for unknown users')).toBe(false);
  });

  it('generates readable passwords of at least 16 characters', () => {
    const passwords = Array.from({ length: 50 }, readablePassword);
    expect(new Set(passwords).size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(passwords.join('')).not.toMatch(/[01OlI]/);
  });
});
