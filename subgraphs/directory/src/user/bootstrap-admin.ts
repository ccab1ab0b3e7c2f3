import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '@triage/service-common';
import { requireEmail } from '../validation.js';
import { User } from './user.entity.js';
import { UserService } from './user.service.js';

export interface AdminAccount {
  email: string;
  displayName: string;
  password: string;
}

export type BootstrapOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * The first administrator of a directory (or another one, from the host): creates the account with
 * the `admin` platform role, or adds the role to an existing account with that email (its password is
 * left as it is). Every other user is then managed by administrators through the API.
 */
export async function bootstrapAdmin(orm: Orm, account: AdminAccount): Promise<{ outcome: BootstrapOutcome; user: User }> {
  return orm.em.fork().transactional(async (em: EntityManager) => {
    const existing = await em.findOne(User, { email: requireEmail(account.email) });
    if (existing) {
      if (existing.roles.includes('admin')) return { outcome: 'unchanged' as const, user: existing };
      existing.roles = [...existing.roles, 'admin'];
      await em.flush();
      return { outcome: 'promoted' as const, user: existing };
    }
    const user = await new UserService(em).create({ ...account, roles: ['admin'] });
    return { outcome: 'created' as const, user };
  });
}
