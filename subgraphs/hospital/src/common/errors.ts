import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { DomainError } from '@triage/auth';

export const conflict = (message: string) => new DomainError('CONFLICT', message);

/**
 * Turns a unique-constraint violation into CONFLICT with the message registered for that
 * constraint; anything else is rethrown untouched. The database decides, so concurrent creates
 * of the same MRN cannot both succeed.
 */
export function rethrowAsConflict(error: unknown, messages: Record<string, string>): never {
  if (error instanceof UniqueConstraintViolationException) {
    const constraint = (error as { constraint?: string }).constraint ?? '';
    const message = messages[constraint];
    if (message) throw conflict(message);
  }
  throw error;
}
