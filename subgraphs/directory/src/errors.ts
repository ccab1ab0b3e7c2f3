import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { DomainError } from '@triage/auth';

export const conflict = (message: string) => new DomainError('CONFLICT', message);

/** Runs a write; a unique-constraint violation (a race with a concurrent write) becomes CONFLICT. */
export async function uniqueOrConflict<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw conflict(message);
    throw error;
  }
}
